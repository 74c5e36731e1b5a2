import Foundation
import LiveView
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The real server on 127.0.0.1 and a port the system picks, spoken to with raw HTTP over a
/// socket, so the request target reaches the server exactly as written (a client library would
/// normalise `..` away before sending).
final class ArtifactServerTests: XCTestCase {
    var sandbox: URL!

    override func setUpWithError() throws {
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString)")
        try ServedFixture.make(sandbox: sandbox)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: sandbox)
    }

    func testTheServerAnswersFilesAndRefusesEveryWayOut() async throws {
        let routes = ArtifactRoutes(folder: try ServedFolder(sandbox.appendingPathComponent("artifacts")), run: "tiny")
        let server = try ArtifactServer(routes: routes, host: "127.0.0.1", port: 0)
        let port = try await server.start()
        XCTAssertGreaterThan(port, 0)

        let report = try RawHTTP.get("/files/tiny/report.html", port: port)
        XCTAssertTrue(report.hasPrefix("HTTP/1.1 200"), report)
        XCTAssertTrue(report.contains("the report"), report)
        for target in [
            "/files/../secret.txt", "/files/tiny/../../secret.txt", "/files/tiny/%2e%2e/%2e%2e/secret.txt",
            "/files/tiny%2f..%2f..%2fsecret.txt", "/files/tiny/leak.txt", "/files/tiny/outside/secret.txt",
            "/../secret.txt", "/files/tiny/../../private/secret.txt",
        ] {
            let answer = try RawHTTP.get(target, port: port)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 4"), "\(target): \(answer)")
            XCTAssertFalse(answer.contains(ServedFixture.secret), target)
        }
        let post = try RawHTTP.request(
            "POST /files/tiny/report.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            port: port)
        XCTAssertTrue(post.hasPrefix("HTTP/1.1 405"), post)
        await server.stop()
    }
}

/// A minimal HTTP/1.1 client over a POSIX socket to 127.0.0.1.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func get(_ target: String, port: UInt16) throws -> String {
        try request("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    /// Sends `text` and reads until the server closes the connection (10 s at most).
    static func request(_ text: String, port: UInt16) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port): errno \(errno)") }
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw Failure(description: "send: errno \(errno)") }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: response, as: UTF8.self)
    }
}
