import ArgumentParser
import Foundation
import Pipeline

/// `pipeline status`: each stage of a run as done, stale (and why) or missing, judged exactly as
/// `pipeline run` would judge it with the same settings.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stage of a run as done, stale (and why) or missing.")

    @OptionGroup var selection: RunSelection
    @OptionGroup var runtime: ThreadsOption

    func run() throws {
        let config = try selection.configuration()
        let runFolder = URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run)
        let fingerprints = RunLedger.fingerprints(config)
        let ledger = try RunLedger.load(runFolder: runFolder)
        print("run '\(config.run)' in \(runFolder.path) (preset \(config.preset.rawValue))")
        var states: [RunStage: RunStageState] = [:]
        for stage in RunStage.allCases {
            let state = config.isEnabled(stage)
                ? RunStageState.of(stage, runFolder: runFolder, ledger: ledger, fingerprint: fingerprints[stage]!, upstreamStates: states)
                : .notEnabled
            states[stage] = state
            print("  " + stage.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + state.description)
        }
    }
}
