import ArgumentParser
import Foundation
import Pipeline

/// `pipeline report`: writes `artifacts/<run>/report.html` again, as `pipeline run` does after
/// each stage (e.g. after a stage command run by hand, or for a run made before reports existed).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the run's report page, artifacts/<run>/report.html.",
        discussion: """
            One self-contained HTML page (pictures embedded, charts drawn inline, no network): each \
            stage's state as `pipeline status` judges it, with its settings, duration and figures; the \
            autoencoder's reconstructions and scores, the flow's loss and SWD curves, the samples with \
            their class names, the evaluation against its floor, compare's and the ablations' tables. \
            `pipeline run` writes it after every stage; `pipeline serve` shows it.
            """)

    @OptionGroup var selection: RunSelection
    @OptionGroup var runtime: ThreadsOption

    func run() throws {
        let (config, source) = try selection.configuration()
        let cache = DigestCache(runFolder: URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run))
        defer { cache.save() }
        print(try RunReportWriting.write(config: config, settingsFrom: source, cache: cache).path)
    }
}
