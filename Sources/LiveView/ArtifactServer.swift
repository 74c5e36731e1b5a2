import FlyingFox
import FlyingSocks
import Foundation

/// `pipeline serve`'s HTTP server: FlyingFox on one IPv4 address (127.0.0.1 unless told
/// otherwise, so the artifacts are not offered to the network by default), every request
/// answered by `ArtifactRoutes`.
///
/// FlyingFox rather than Hummingbird: it is a few thousand lines over POSIX sockets with no
/// dependency of its own, where Hummingbird brings SwiftNIO and its companions, minutes of
/// build time on every fresh CI clone of a 2-core machine, for a server that hands out a few
/// files to one person's browser.
public final class ArtifactServer: @unchecked Sendable {
    private let server: HTTPServer
    private var task: Task<Void, Error>?

    /// - Parameters:
    ///   - host: an IPv4 address to bind; 127.0.0.1 keeps the server to this machine.
    ///   - port: 0 asks the system for a free port (`start()` says which).
    public init(routes: ArtifactRoutes, host: String = "127.0.0.1", port: UInt16) throws {
        let address = try sockaddr_in.inet(ip4: host, port: port)
        server = HTTPServer(address: address, logger: .disabled, handler: RoutesHandler(routes: routes))
    }

    /// Starts listening; returns the port.
    public func start() async throws -> UInt16 {
        let server = self.server
        task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw ServeError("the server started but reports no IPv4 address")
        }
        return port
    }

    /// Serves until `task` ends: the server failed, or `stop()` was called.
    public func wait() async throws {
        try await task?.value
    }

    public func stop() async {
        await server.stop(timeout: 1)
        task?.cancel()
    }
}

public struct ServeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Hands FlyingFox's requests to `ArtifactRoutes`, with the request target exactly as sent
/// (FlyingFox's own `path` is already normalised, which would hide a `..` from the checks).
private struct RoutesHandler: HTTPHandler {
    let routes: ArtifactRoutes

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = routes.response(method: request.method.rawValue, target: request.target.rawValue)
        var headers = HTTPHeaders()
        for (name, value) in answer.headers { headers[HTTPHeader(name)] = value }
        let body = request.method == .HEAD ? Data() : answer.body
        if request.method == .HEAD { headers[.contentLength] = String(answer.body.count) }
        return HTTPResponse(
            statusCode: HTTPStatusCode(answer.status, phrase: Self.phrase(answer.status)), headers: headers, body: body)
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        default: return "Status"
        }
    }
}
