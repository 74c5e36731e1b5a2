import FileFormats
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Downloads one URL into a `.part` file, continuing a partial file with an HTTP Range request
/// and retrying interrupted transfers (each retry resumes where the last one stopped).
struct RangeDownloader {
    var attempts: Int
    var timeout: TimeInterval
    /// Pause before each retry, growing with the attempt number (a flaky line often recovers).
    var retryDelay: TimeInterval = 0
    var progress: (@Sendable (_ received: Int64, _ total: Int64?) -> Void)?

    enum Outcome: Equatable {
        /// The whole file arrived in one go.
        case downloaded
        /// Some of it was already there or an interrupted transfer was continued.
        case resumed
    }

    /// Fills `part` with the contents of `url`. `expectedSize`, when known, lets a complete part
    /// file be recognised without asking the server and an oversized one be discarded.
    func download(_ url: URL, to part: URL, expectedSize: Int64?) throws -> Outcome {
        var resumed = false
        var lastError: TransferError?
        for attempt in 0..<max(1, attempts) {
            if attempt > 0 && retryDelay > 0 { Thread.sleep(forTimeInterval: retryDelay * Double(attempt)) }
            var existing = RangeDownloader.fileSize(part) ?? 0
            if let expectedSize, existing > expectedSize {
                // Longer than the real file: not a prefix of it, so start over.
                try? FileManager.default.removeItem(at: part)
                existing = 0
            }
            if existing > 0 { resumed = true }
            if let expectedSize, existing == expectedSize { return resumed ? .resumed : .downloaded }
            do {
                try fetch(url, into: part, from: existing)
            } catch let error as TransferError {
                switch error {
                case .interrupted:
                    lastError = error
                    continue
                case .rangeNotSatisfiable:
                    // The part file does not fit the server's file; the next attempt starts over.
                    lastError = error
                    try? FileManager.default.removeItem(at: part)
                    continue
                case .http, .local:
                    throw DatasetError(.download, error.describe(url))
                }
            }
            let now = RangeDownloader.fileSize(part) ?? 0
            if let expectedSize, now < expectedSize {
                // A response without a length can end early without any error being reported.
                lastError = .interrupted("the response ended after \(now) of \(expectedSize) bytes")
                continue
            }
            return resumed ? .resumed : .downloaded
        }
        let have = RangeDownloader.fileSize(part) ?? 0
        let reason = lastError?.describe(url) ?? "\(url.absoluteString): transfer incomplete"
        throw DatasetError(.download, "\(reason); \(have) bytes are kept in \(part.path), run again to resume")
    }

    enum TransferError: Error {
        case interrupted(String)
        case rangeNotSatisfiable
        case http(Int)
        case local(String)

        func describe(_ url: URL) -> String {
            switch self {
            case let .interrupted(reason): return "\(url.absoluteString): transfer interrupted (\(reason))"
            case .rangeNotSatisfiable: return "\(url.absoluteString): the server refused to resume (HTTP 416)"
            case let .http(status): return "\(url.absoluteString): the server answered HTTP \(status)"
            case let .local(reason): return "\(url.absoluteString): \(reason)"
            }
        }
    }

    /// One request, appending to `part` from `offset` (or rewriting it if the server sends it all).
    private func fetch(_ url: URL, into part: URL, from offset: Int64) throws {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let task = TransferDelegate(part: part, offset: offset, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: task, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request).resume()
        task.done.wait()
        if let failure = task.failure { throw failure }
    }

    static func fileSize(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let size = attributes[.size] as? NSNumber
        else { return nil }
        return size.int64Value
    }
}

/// Receives one response and appends its body to the part file.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let part: URL
    let offset: Int64
    let progress: (@Sendable (Int64, Int64?) -> Void)?
    let done = DispatchSemaphore(value: 0)
    // Touched only on the session's serial delegate queue, then read after `done` fires.
    var failure: RangeDownloader.TransferError?
    private var handle: FileHandle?
    private var received: Int64 = 0
    private var total: Int64?

    init(part: URL, offset: Int64, progress: (@Sendable (Int64, Int64?) -> Void)?) {
        self.part = part
        self.offset = offset
        self.progress = progress
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            failure = .local("not an HTTP response")
            return completionHandler(.cancel)
        }
        var start: Int64 = 0
        switch http.statusCode {
        case 206:
            // Continue only if the server resumes exactly where our part file ends.
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            guard let first = TransferDelegate.rangeStart(range), first == offset else {
                failure = .local("the server resumed at an unexpected position (\(range))")
                return completionHandler(.cancel)
            }
            start = offset
            total = TransferDelegate.rangeTotal(range)
        case 200:
            // The server ignored the Range header: start the part file over.
            start = 0
            total = http.expectedContentLength >= 0 ? http.expectedContentLength : nil
        case 416:
            failure = .rangeNotSatisfiable
            return completionHandler(.cancel)
        default:
            failure = .http(http.statusCode)
            return completionHandler(.cancel)
        }
        do {
            if !FileManager.default.fileExists(atPath: part.path) {
                guard FileManager.default.createFile(atPath: part.path, contents: nil) else {
                    throw FileFormatError(.writeFailed, path: part.path, "cannot create file")
                }
            }
            guard let h = FileHandle(forWritingAtPath: part.path) else {
                throw FileFormatError(.writeFailed, path: part.path, "cannot open for writing")
            }
            try h.truncate(atOffset: UInt64(start))
            try h.seek(toOffset: UInt64(start))
            handle = h
            received = start
            completionHandler(.allow)
        } catch {
            failure = .local("cannot write \(part.path): \(error)")
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
            received += Int64(data.count)
            progress?(received, total)
        } catch {
            failure = .local("cannot write \(part.path): \(error.localizedDescription)")
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        try? handle?.synchronize()
        try? handle?.close()
        handle = nil
        if failure == nil, let error {
            failure = .interrupted(error.localizedDescription)
        }
        done.signal()
    }

    /// "bytes 100-199/1000" → 100.
    static func rangeStart(_ header: String) -> Int64? {
        guard let range = header.split(separator: " ").last,
            let dash = range.firstIndex(of: "-")
        else { return nil }
        return Int64(range[range.startIndex..<dash])
    }

    /// "bytes 100-199/1000" → 1000 (nil for "*").
    static func rangeTotal(_ header: String) -> Int64? {
        guard let slash = header.lastIndex(of: "/") else { return nil }
        return Int64(header[header.index(after: slash)...])
    }
}
