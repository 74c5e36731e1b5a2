import Foundation
import Pipeline

/// Writes `artifacts/<run>/report.html` with each stage judged exactly as `pipeline status`
/// judges it: the configuration's settings parsed by the stage commands (which only this layer
/// can do), the ledger with pipeline 0.1's matching records adopted in memory, `RunAssessment`.
enum RunReportWriting {
    /// Judges the run and writes its report; returns the page's location.
    @discardableResult
    static func write(config: RunConfig, settingsFrom source: String, cache: DigestCache) throws -> URL {
        let runFolder = URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run)
        let settings = try StageCommands.allSettings(config, runFolder: runFolder)
        var ledger = try RunLedger.load(runFolder: runFolder)
        LegacyLedger.adopt(&ledger, config: config, runFolder: runFolder, settings: settings, cache: cache)
        let assessments = RunAssessment.assess(
            config: config, runFolder: runFolder, ledger: ledger, settings: settings, cache: cache)
        let input = RunReportInput(
            run: config.run, runFolder: runFolder, settingsFrom: source,
            states: assessments.mapValues(\.state), ledger: ledger)
        return try RunReport.write(input)
    }

    /// `pipeline run`'s hook, after each completed stage and at the end: the report is for
    /// reading, so a failure to write it is a warning and never fails the run.
    static func refresh(config: RunConfig, settingsFrom source: String, cache: DigestCache) {
        do {
            try write(config: config, settingsFrom: source, cache: cache)
        } catch {
            fflush(stdout)
            fputs("warning: the run report was not written: \(error)\n", stderr)
        }
    }
}
