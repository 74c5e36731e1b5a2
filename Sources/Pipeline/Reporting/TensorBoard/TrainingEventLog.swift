import FileFormats
import Foundation

/// A training stage's TensorBoard event file: `<stage folder>/events/events.out.tfevents.…`, one
/// file per session (as TensorFlow writes them), so `tensorboard --logdir artifacts` shows every
/// stage of every run as a run of its own.
///
/// Each session begins with the file version and a session start at the first step it will log:
/// a session resumed from a checkpoint logs again the steps after that checkpoint, and
/// TensorBoard drops what the interrupted session had logged from there on, as `metrics.jsonl`
/// drops those lines.
///
/// The events are a view of the metrics, not a record the run depends on: a file that cannot be
/// created or written is reported once through `warn` and the log goes quiet, training goes on.
public final class TrainingEventLog {
    public static let folderName = "events"

    /// The file written, or nil when it could not be created.
    public private(set) var url: URL?
    private var handle: FileHandle?
    private let warn: (String) -> Void
    private let wallClock: () -> Double

    /// Opens a new event file in `<stageFolder>/events/`.
    /// - Parameters:
    ///   - firstStep: the first step this session logs; what earlier sessions logged from it on is
    ///     superseded.
    ///   - warn: receives a one-line warning if the file cannot be written.
    public init(
        stageFolder: URL, firstStep: Int, warn: @escaping (String) -> Void = { fputs($0, stderr) },
        wallClock: @escaping () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.warn = warn
        self.wallClock = wallClock
        let folder = stageFolder.appendingPathComponent(Self.folderName)
        let url = folder.appendingPathComponent(Self.fileName(time: wallClock()))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw FileFormatError(.writeFailed, path: url.path, "cannot create the file")
            }
            handle = try FileHandle(forWritingTo: url)
            self.url = url
        } catch {
            fail("cannot create the TensorBoard event file \(url.path): \(error.localizedDescription)")
            return
        }
        append(TensorBoardEvent(wallTime: wallClock(), step: 0, content: .fileVersion(TensorBoardEvent.fileVersion)))
        append(TensorBoardEvent(wallTime: wallClock(), step: Int64(firstStep), content: .sessionStart))
    }

    deinit { try? handle?.close() }

    /// `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>`: TensorBoard finds event files
    /// by the "tfevents" in their name and reads those of one folder in name order, so the
    /// time comes first; the host, process and a counter keep two sessions apart (the counter
    /// zero-padded: a 10th session in the same second would otherwise sort before the 9th).
    static func fileName(time: Double) -> String {
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        return "events.out.tfevents." + String(format: "%010d", Int(time))
            + ".\(host).\(ProcessInfo.processInfo.processIdentifier)." + String(format: "%06d", counter.next())
    }

    /// Scalars of one step; non-finite values are left out (TensorBoard would plot them as gaps
    /// anyway, and a NaN loss is in `metrics.jsonl`).
    public func scalars(_ values: [(tag: String, value: Double)], step: Int) {
        let finite = values.filter { $0.value.isFinite }
        guard !finite.isEmpty else { return }
        append(
            TensorBoardEvent(
                wallTime: wallClock(), step: Int64(step),
                content: .summary(finite.map { .init($0.tag, .scalar(Float($0.value))) })))
    }

    /// An RGB picture (a reconstruction or sample grid), stored as PNG.
    public func image(_ tag: String, _ picture: RGBImage, step: Int) {
        guard handle != nil else { return }
        do {
            let png = try PNGImage.encode(picture)
            append(
                TensorBoardEvent(
                    wallTime: wallClock(), step: Int64(step),
                    content: .summary([
                        .init(tag, .image(.init(width: picture.width, height: picture.height, encoded: Array(png))))
                    ])))
        } catch {
            fail("cannot encode the \(tag) image for TensorBoard: \(error)")
        }
    }

    /// Appends one record; written straight to the file (no buffer), so TensorBoard sees each
    /// step as it is logged.
    func append(_ event: TensorBoardEvent) {
        guard let handle else { return }
        do {
            try handle.write(contentsOf: Data(TensorBoardRecords.frame(event.encoded())))
        } catch {
            fail("cannot write the TensorBoard event file \(url?.path ?? "?"): \(error.localizedDescription)")
        }
    }

    public func close() {
        try? handle?.close()
        handle = nil
    }

    private func fail(_ message: String) {
        try? handle?.close()
        handle = nil
        warn("warning: \(message); training goes on without TensorBoard events\n")
    }

    private static let counter = EventFileCounter()
}

/// Numbers event files made by one process (two stages may start within the same second).
private final class EventFileCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
