import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Test-only HTTP/1.1 file server on 127.0.0.1 (an ephemeral port), one connection at a time,
/// with Range support. It is bounded: it serves at most `maxRequests` requests and stops by
/// itself after `lifetime` seconds, so a broken test cannot leave it running.
final class LocalHTTPServer: @unchecked Sendable {
    enum Behaviour {
        /// Serve the file, honouring Range requests (206) .
        case normal
        /// Always send the whole file with 200, as servers without range support do.
        case ignoreRange
        /// The first `times` responses announce the full length but stop after `after` bytes of
        /// the body and close the connection: an interrupted transfer.
        case cut(after: Int, times: Int)
        /// Send the body in `pieces` parts with `pause` seconds between them: slow but steady.
        case trickle(pieces: Int, pause: TimeInterval)
    }

    struct Request: Equatable {
        var path: String
        var range: String?
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var routes: [String: (body: [UInt8], behaviour: Behaviour)]
    private var cutsDone: [String: Int] = [:]
    private var log: [Request] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(
        routes: [String: (body: [UInt8], behaviour: Behaviour)], maxRequests: Int = 40,
        lifetime: TimeInterval = 30
    ) throws {
        self.routes = routes
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let deadline = Date().addingTimeInterval(lifetime)
        let thread = Thread { [self] in
            serve(maxRequests: maxRequests, deadline: deadline)
            finished.signal()
        }
        thread.start()
    }

    deinit { stop() }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/files/")! }

    /// The requests served so far.
    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Stops serving and waits for the server thread to end.
    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if !already { finished.wait() }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve(maxRequests: Int, deadline: Date) {
        defer { close(listener) }
        var served = 0
        while served < maxRequests && Date() < deadline && !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            // Short waits so that stop() and the deadline are noticed promptly.
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            handle(client)
            close(client)
            served += 1
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 16384 {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            data += buffer[0..<n]
            if data.count >= 4, String(decoding: data, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0] == "GET" else {
            return send(client, status: "400 Bad Request", headers: [], body: [])
        }
        let path = String(parts[1])
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append(Request(path: path, range: range))
        let route = routes[path]
        lock.unlock()
        guard let route else {
            return send(client, status: "404 Not Found", headers: [], body: Array("no such file".utf8))
        }
        let body = route.body
        var start = 0
        if let range, case .normal = route.behaviour {
            // Only the "bytes=N-" form, which is what resuming sends.
            let value = range.replacingOccurrences(of: "bytes=", with: "")
            guard value.hasSuffix("-"), let from = Int(value.dropLast()), from < body.count else {
                return send(
                    client, status: "416 Range Not Satisfiable", headers: ["Content-Range: bytes */\(body.count)"],
                    body: [])
            }
            start = from
        }
        var status = "200 OK"
        var headers = ["Accept-Ranges: bytes"]
        if start > 0 {
            status = "206 Partial Content"
            headers.append("Content-Range: bytes \(start)-\(body.count - 1)/\(body.count)")
        }
        var payload = Array(body[start...])
        var announced = payload.count
        if case let .cut(after, times) = route.behaviour {
            lock.lock()
            let done = cutsDone[path, default: 0]
            if done < times { cutsDone[path] = done + 1 }
            lock.unlock()
            if done < times {
                announced = payload.count
                payload = Array(payload.prefix(after))
            }
        }
        if case let .trickle(pieces, pause) = route.behaviour {
            send(client, status: status, headers: headers, body: [], contentLength: announced)
            let step = max(1, (payload.count + pieces - 1) / pieces)
            for from in stride(from: 0, to: payload.count, by: step) {
                Thread.sleep(forTimeInterval: pause)
                sendRaw(client, Array(payload[from..<min(payload.count, from + step)]))
            }
            return
        }
        send(client, status: status, headers: headers, body: payload, contentLength: announced)
    }

    private func send(_ client: Int32, status: String, headers: [String], body: [UInt8], contentLength: Int? = nil) {
        var head = "HTTP/1.1 \(status)\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
        head += "Content-Length: \(contentLength ?? body.count)\r\n"
        for h in headers { head += h + "\r\n" }
        head += "\r\n"
        sendRaw(client, Array(head.utf8) + body)
    }

    private func sendRaw(_ client: Int32, _ bytes: [UInt8]) {
        var sent = 0
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)  // a client that hung up must not kill the test with SIGPIPE
        #else
            let flags: Int32 = 0
        #endif
        while sent < bytes.count {
            #if canImport(Glibc)
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, flags) }
            #else
                let n = bytes[sent...].withUnsafeBytes { Darwin.send(client, $0.baseAddress, $0.count, flags) }
            #endif
            if n <= 0 { return }
            sent += n
        }
    }
}
