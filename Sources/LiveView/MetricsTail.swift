import Foundation

/// The newest lines of a training stage's `metrics.jsonl`, read from its end only (an hour of
/// autoencoder training logs thousands of lines, and the live page reads them every few seconds).
struct MetricsTail {
    /// The newest training line (loss, learning rate, speed…).
    var training: [String: Any]?
    /// The newest evaluation line (`"event": "eval"`, the flow's SWD).
    var evaluation: [String: Any]?
    /// When the log was last written.
    var modified: Date?

    static let tailBytes = 64 << 10

    static func read(_ url: URL) -> MetricsTail {
        var tail = MetricsTail()
        guard let handle = try? FileHandle(forReadingFrom: url) else { return tail }
        defer { try? handle.close() }
        tail.modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
        guard let size = try? handle.seekToEnd() else { return tail }
        let start = size > UInt64(tailBytes) ? size - UInt64(tailBytes) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return tail }
        var lines = data.split(separator: UInt8(ascii: "\n"))
        // Reading from the middle of the file cuts its first line; a line being written may be cut too.
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        for line in lines.reversed() {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            if record["event"] as? String == "eval" {
                if tail.evaluation == nil { tail.evaluation = record }
            } else if tail.training == nil {
                tail.training = record
            }
            if tail.training != nil && tail.evaluation != nil { break }
        }
        return tail
    }
}
