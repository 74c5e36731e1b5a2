import Datasets
import Foundation

/// `pipeline fetch-data`: download Oxford Flowers 102 with `OxfordDownloader`, with a progress
/// line per file and a summary of what happened to each file.
public enum FetchDataStage {
    /// Downloads into `destination` from `baseURL` (default: the VGG site).
    @discardableResult
    public static func run(
        destination: URL, baseURL: URL = OxfordDownloader.defaultBaseURL,
        files: [RemoteFile] = OxfordDownloader.officialFiles,
        style: ProgressReporter.Style = .automatic(everySeconds: 10, everyPercent: 10),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput
    ) throws -> FetchReport {
        var downloader = OxfordDownloader(destination: destination, baseURL: baseURL, files: files)
        let progress = FileProgress(style: style, write: write)
        downloader.log = { progress.message($0) }
        downloader.progress = { file, received, total in progress.update(file: file, received: received, total: total) }
        write("fetching Oxford Flowers 102 from \(baseURL.absoluteString) into \(destination.path)\n")
        let report: FetchReport
        do {
            report = try downloader.run()
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        for line in summary(report, destination: destination) { write(line + "\n") }
        return report
    }

    public static func summary(_ report: FetchReport, destination: URL) -> [String] {
        var lines = ["done: \(destination.path)"]
        for step in report.steps { lines.append("  \(step.file): \(step.action.rawValue) (\(step.detail))") }
        lines.append("prepare it with: pipeline prepare --source oxford --data \(destination.path)")
        return lines
    }
}

/// One progress reporter per file being downloaded, in megabytes.
private final class FileProgress: @unchecked Sendable {
    private let style: ProgressReporter.Style
    private let write: (String) -> Void
    private let lock = NSLock()
    private var file: String?
    private var reporter: ProgressReporter?

    init(style: ProgressReporter.Style, write: @escaping (String) -> Void) {
        self.style = style
        self.write = write
    }

    func update(file name: String, received: Int64, total: Int64?) {
        lock.lock()
        defer { lock.unlock() }
        if name != file {
            reporter?.finish()
            file = name
            reporter = ProgressReporter(
                label: name, total: total.map { Int(($0 + 999_999) / 1_000_000) }, unit: "MB",
                style: style, write: write)
        }
        // Megabytes rounded down, except that a complete file counts in full (the summary says "done").
        let megabytes = received == total ? Int((received + 999_999) / 1_000_000) : Int(received / 1_000_000)
        reporter?.update(completed: megabytes)
    }

    func message(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if let reporter { reporter.message(text) } else { write(text + "\n") }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        reporter?.finish()
        reporter = nil
        file = nil
    }
}
