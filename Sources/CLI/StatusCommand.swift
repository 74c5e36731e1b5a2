import ArgumentParser
import Foundation
import Pipeline

/// `pipeline status`: each stage of a run as done, stale (and why), missing or running, judged
/// exactly as `pipeline run` would judge it with the same settings.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stage of a run as done, stale (and why), missing or running.",
        discussion: """
            Judged as `pipeline run` would with the same settings (by default those the run saved). \
            --check exits with status 1 when an enabled stage is not done; --json prints one JSON \
            document on standard output.
            """)

    @OptionGroup var selection: RunSelection
    @Flag(help: "Exit with status 1 when any enabled stage is stale, missing or running.")
    var check = false
    @Flag(help: "Print one JSON document (run, folder, settings source, and per stage its state and reason).")
    var json = false
    @OptionGroup var runtime: ThreadsOption

    func run() throws {
        let (config, source) = try selection.configuration()
        let runFolder = URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run)
        let settings = try StageCommands.allSettings(config, runFolder: runFolder)
        let cache = DigestCache(runFolder: runFolder)
        defer { cache.save() }
        // pipeline 0.1's records that still match are judged as `run` will adopt them (nothing is written here).
        var ledger = try RunLedger.load(runFolder: runFolder)
        LegacyLedger.adopt(&ledger, config: config, runFolder: runFolder, settings: settings, cache: cache)
        let assessments = RunAssessment.assess(
            config: config, runFolder: runFolder, ledger: ledger, settings: settings, cache: cache)
        let states = RunStage.allCases.map { ($0, assessments[$0]!.state) }
        if json {
            print(
                try StatusDocument(
                    run: config.run, folder: runFolder.path, settingsFrom: source, preset: config.preset.rawValue,
                    stages: RunStage.allCases.map { StatusDocument.Stage($0, assessments[$0]!) }
                ).text())
        } else {
            print("run '\(config.run)' in \(runFolder.path), settings from \(source)")
            let width = RunStage.allCases.map(\.rawValue.count).max()! + 2
            for (stage, state) in states {
                let note = assessments[stage]!.note.map { " (note: \($0))" } ?? ""
                print(
                    "  " + stage.rawValue.padding(toLength: width, withPad: " ", startingAt: 0) + state.description
                        + note)
            }
        }
        if check && states.contains(where: { $0.1 != .done && $0.1 != .notEnabled }) { throw ExitCode(1) }
    }
}

/// What `pipeline status --json` prints.
struct StatusDocument: Encodable {
    struct Stage: Encodable {
        var stage: String
        var state: String
        var reason: String?
        var pid: Int32?
        var note: String?

        init(_ stage: RunStage, _ assessment: StageAssessment) {
            let state = assessment.state
            self.stage = stage.rawValue
            self.state = state.name
            note = assessment.note
            switch state {
            case .stale(let why): reason = why
            case .running(let pid): self.pid = pid
            default: break
            }
        }
    }

    var run: String
    var folder: String
    var settingsFrom: String
    var preset: String
    var stages: [Stage]

    func text() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
