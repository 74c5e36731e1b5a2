import ArgumentParser
import Foundation
import Pipeline

/// Which run, with which settings: shared by `run` and `status`.
///
/// Settings come from `--config` or `--preset` when given; otherwise from the run folder's
/// `run-config.yaml`, which every `pipeline run` saves, so that `pipeline run --run oxford` alone
/// continues the Oxford run with the settings it was made with, rather than falling back to a
/// preset that would redo it. `--set` applies on top either way.
struct RunSelection: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "YAML configuration file (see README). Default: the run folder's saved run-config.yaml, else the quick preset.",
            valueName: "file"))
    var config: String?
    @Option(help: "Preset: quick (about 15 minutes on synthetic flowers), default or full.")
    var preset: RunPreset?
    @Option(name: .customLong("run"), help: "Run name (overrides the configuration).")
    var runName: String?
    @Option(help: ArgumentHelp("Artifacts folder (overrides the configuration).", valueName: "dir"))
    var artifacts: String?
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override one stage option, e.g. train-ae.minutes=10 or train-flow.ot=true.",
            valueName: "stage.option=value"))
    var settings: [String] = []

    /// The configuration, and where it came from (for the first line of `run` and `status`).
    func configuration() throws -> (config: RunConfig, source: String) {
        var config: RunConfig
        var source: String
        if let file = self.config {
            config = try RunConfig.load(from: URL(fileURLWithPath: file), presetOverride: preset)
            source = file
        } else if let preset {
            config = RunConfig(preset: preset)
            source = "preset \(preset.rawValue)"
        } else {
            let saved = URL(fileURLWithPath: artifacts ?? RunConfig.defaultArtifacts).appendingPathComponent(
                runName ?? RunConfig.defaultRun
            )
            .appendingPathComponent(RunConfig.savedFileName)
            if FileManager.default.fileExists(atPath: saved.path) {
                config = try RunConfig.load(from: saved)
                source = "\(saved.path) (saved by the last run)"
            } else {
                config = RunConfig(preset: .quick)
                source = "preset quick (no saved configuration at \(saved.path))"
            }
            // The folder is where the run is now, whatever the saved file says: run folders move.
            config.artifacts = artifacts ?? RunConfig.defaultArtifacts
            config.run = runName ?? RunConfig.defaultRun
        }
        if let runName { config.run = runName }
        if let artifacts { config.artifacts = artifacts }
        for setting in settings {
            guard let eq = setting.firstIndex(of: "="), let dot = setting[..<eq].firstIndex(of: "."),
                let stage = RunStage(rawValue: String(setting[..<dot]))
            else {
                throw ValidationError(
                    "--set \(setting): expected stage.option=value with a stage among \(RunStage.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let key = String(setting[setting.index(after: dot)..<eq])
            let value = String(setting[setting.index(after: eq)...])
            config.stages[stage, default: [:]][key] = RunOptionValue(text: value)
        }
        if !settings.isEmpty { source += " with \(settings.count) --set" }
        return (config, source)
    }
}

extension RunStage: ExpressibleByArgument {}
extension RunPreset: ExpressibleByArgument {}
