import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The artifacts folder as the server may read it: a request path becomes a file only if every
/// step of the way stays inside the folder.
///
/// Path traversal is ruled out twice over. The path is checked segment by segment after
/// percent-decoding, so `..`, `%2e%2e` and an encoded `/` (`%2f`) are refused before the file
/// system is asked anything; hidden names (`.pipeline.lock`, `.digests.json`) are refused too.
/// Then the candidate is resolved by the system (`realpath`, every symlink followed) and must
/// still lie under the folder's own resolved path, so a symlink pointing out of the folder
/// leads nowhere. Only regular files of the kinds a report is made of are served, never a
/// model, a checkpoint or a cache.
public struct ServedFolder: Sendable {
    public enum Refusal: Error, Equatable, Sendable {
        /// Not a well-formed path (bad percent-encoding, an empty or NUL-holding segment).
        case malformed
        /// A `.` or `..` segment, raw or encoded, or an encoded slash.
        case traversal
        /// A name starting with a dot.
        case hidden
        /// It resolves outside the folder (a symlink out of it).
        case outside
        case notFound
        /// A folder or a device, not a regular file.
        case notAFile
        /// A kind of file the server does not hand out (models, caches…).
        case typeNotServed
    }

    /// The folder's resolved path (symlinks followed), with no trailing slash.
    public let root: String

    /// Kinds of file a report, its pictures and its data are made of.
    public static let servedExtensions: Set<String> = [
        "html", "svg", "png", "jpg", "jpeg", "json", "jsonl", "md", "txt", "yaml", "csv",
    ]

    public init(_ folder: URL) throws {
        guard let resolved = Self.realPath(folder.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder.path])
        }
        root = resolved
    }

    /// The file `encodedPath` names (percent-encoded, relative to the folder, no leading slash).
    public func file(_ encodedPath: String) -> Result<URL, Refusal> {
        let segments: [String]
        switch Self.segments(encodedPath) {
        case .success(let list): segments = list
        case .failure(let refusal): return .failure(refusal)
        }
        guard !segments.isEmpty else { return .failure(.notAFile) }
        let candidate = ([root] + segments).joined(separator: "/")
        guard let resolved = Self.realPath(candidate) else { return .failure(.notFound) }
        guard resolved.hasPrefix(root + "/") else { return .failure(.outside) }
        var status = stat()
        guard stat(resolved, &status) == 0 else { return .failure(.notFound) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(.notAFile) }
        guard Self.servedExtensions.contains((resolved as NSString).pathExtension.lowercased()) else {
            return .failure(.typeNotServed)
        }
        return .success(URL(fileURLWithPath: resolved))
    }

    /// The decoded segments of a path, each checked on its own.
    static func segments(_ encodedPath: String) -> Result<[String], Refusal> {
        var segments: [String] = []
        for raw in encodedPath.split(separator: "/", omittingEmptySubsequences: false) {
            guard !raw.isEmpty else { return .failure(.malformed) }
            guard let decoded = raw.removingPercentEncoding else { return .failure(.malformed) }
            if decoded == "." || decoded == ".." || decoded.contains("/") || decoded.contains("\\") {
                return .failure(.traversal)
            }
            if decoded.contains("\0") || decoded.isEmpty { return .failure(.malformed) }
            if decoded.hasPrefix(".") { return .failure(.hidden) }
            segments.append(decoded)
        }
        return .success(segments)
    }

    /// The path with every symlink resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
