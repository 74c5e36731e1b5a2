import Foundation

/// What `pipeline serve` answers, as a pure function of the request line, so it is tested
/// without sockets:
///
/// - `/` — the runs of the artifacts folder;
/// - `/files/<path>` — a report, picture or log of the folder, through `ServedFolder`;
/// - `/live/<run>` — the live page of a run.
///
/// Read-only: GET and HEAD, nothing else. Pages carry a content security policy that allows no
/// script and nothing from another origin, which is also what the reports promise.
public struct ArtifactRoutes: Sendable {
    public struct Response: Equatable, Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    public let folder: ServedFolder
    /// The run the index marks as current (`--run`).
    public let run: String?

    public init(folder: ServedFolder, run: String?) {
        self.folder = folder
        self.run = run
    }

    static let securityPolicy =
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The response to `method` on `target` (the request target as sent: percent-encoded path,
    /// maybe a query).
    public func response(method: String, target: String) -> Response {
        guard ["GET", "HEAD"].contains(method.uppercased()) else {
            var response = text(405, "this server only reads: GET and HEAD")
            response.headers["Allow"] = "GET, HEAD"
            return response
        }
        let path = String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let artifacts = URL(fileURLWithPath: folder.root)
        // Browsers ask for it on every first visit; "no content" keeps their consoles free of a 404.
        if path == "/favicon.ico" {
            return Response(status: 204, headers: ["Cache-Control": "max-age=86400"], body: Data())
        }
        if path == "/" || path.isEmpty {
            return page(IndexPage.html(artifacts: artifacts, highlighted: run))
        }
        if path.hasPrefix("/files/") {
            switch folder.file(String(path.dropFirst("/files/".count))) {
            case .success(let url):
                guard let data = try? Data(contentsOf: url) else { return text(404, "not found") }
                return Response(status: 200, headers: headers(contentType: MediaType.of(url)), body: data)
            case .failure(let refusal):
                return refused(refusal)
            }
        }
        if path.hasPrefix("/live/") {
            let name = String(path.dropFirst("/live/".count))
            switch ServedFolder.segments(name) {
            case .success(let segments) where segments.count == 1:
                let runFolder = artifacts.appendingPathComponent(segments[0])
                var isFolder: ObjCBool = false
                let exists =
                    FileManager.default.fileExists(atPath: runFolder.path, isDirectory: &isFolder) && isFolder.boolValue
                return page(LivePage.html(LiveProgress.read(artifacts: artifacts, run: segments[0]), runExists: exists))
            case .success:
                return text(404, "not found: /live/ takes one run name")
            case .failure(let refusal):
                return refused(refusal)
            }
        }
        return text(404, "not found")
    }

    func refused(_ refusal: ServedFolder.Refusal) -> Response {
        switch refusal {
        case .malformed, .traversal: return text(400, "bad path (\(refusal))")
        case .hidden, .typeNotServed: return text(403, "not served (\(refusal))")
        case .outside, .notFound, .notAFile: return text(404, "not found")
        }
    }

    func page(_ html: String) -> Response {
        Response(status: 200, headers: headers(contentType: MediaType.html), body: Data(html.utf8))
    }

    func text(_ status: Int, _ message: String) -> Response {
        Response(
            status: status, headers: headers(contentType: "text/plain; charset=utf-8"),
            body: Data((message + "\n").utf8))
    }

    /// Everything changes while a run trains: nothing is cached.
    func headers(contentType: String) -> [String: String] {
        var headers = ["Content-Type": contentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"]
        if contentType.hasPrefix("text/html") || contentType.hasPrefix("image/svg") {
            headers["Content-Security-Policy"] = Self.securityPolicy
        }
        return headers
    }
}
