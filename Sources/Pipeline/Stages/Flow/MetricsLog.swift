import FileFormats
import Foundation

/// A JSON-lines metrics log (one object per line, each with a "step"), appended as training
/// goes and flushed line by line. A resumed run first drops the lines of steps after its
/// checkpoint, so the log reads as if the run had never been interrupted. Each line is also
/// passed to `events` (TensorBoard), when given, as the scalars `TrainingScalars.flow` picks.
final class MetricsLog {
    let url: URL
    let events: TrainingEventLog?
    private let handle: FileHandle

    /// Opens the log, keeping only lines whose step is at most `keepThrough` (nil: none).
    init(url: URL, keepThrough: Int?, events: TrainingEventLog? = nil) throws {
        self.url = url
        self.events = events
        var kept = Data()
        if let keepThrough, let existing = FileManager.default.contents(atPath: url.path) {
            for line in existing.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                    let step = object["step"] as? Int, step <= keepThrough
                else { continue }
                kept.append(contentsOf: line)
                kept.append(UInt8(ascii: "\n"))
            }
        }
        try AtomicFile.write(kept, to: url)
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot open for appending: \(error.localizedDescription)")
        }
    }

    /// Appends one record (keys sorted, so lines are stable).
    func append(_ record: [String: Any]) throws {
        do {
            var data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            data.append(UInt8(ascii: "\n"))
            try handle.write(contentsOf: data)
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot append a metrics line: \(error.localizedDescription)")
        }
        if let events, let step = TrainingCurves.number(record["step"]) {
            events.scalars(TrainingScalars.flow(record), step: Int(step))
        }
    }

    func close() {
        try? handle.close()
        events?.close()
    }

    /// Every record of a log file, in order (unparseable lines are skipped).
    static func read(_ url: URL) throws -> [[String: Any]] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileFormatError(
                .unreadable, path: url.path, "cannot read the metrics log: \(error.localizedDescription)")
        }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }
}
