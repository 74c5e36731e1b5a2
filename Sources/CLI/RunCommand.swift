import ArgumentParser
import Foundation
import FileFormats
import Pipeline

/// `pipeline run`: prepare → train-ae → encode → train-flow → (flow-latents → finetune-decoder)
/// → generate → evaluate, then when enabled train-pixel → compare; each stage skipped when its
/// outputs are still valid for the current settings and upstream stages.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every stage in order, skipping those whose cached artifacts are still valid.",
        discussion: """
            Settings come from the preset, then the --config YAML file, then --set. The effective \
            configuration is saved as <artifacts>/<run>/run-config.yaml. A stage is redone when its settings \
            or an upstream stage changed; an interrupted training stage resumes from its checkpoint. \
            The optional stages run only when enabled: the decoder fine-tune (on in the default and full \
            presets; generate then decodes with it; with flow-latents also enabled, its discriminator also \
            judges latents sampled from the flow), the pixel baseline and the latent-versus-pixel report: \
            --set compare.enabled=true (or `compare: { enabled: true }` under stages in the YAML file).
            """)

    @OptionGroup var selection: RunSelection

    @Option(help: ArgumentHelp("Start at this stage (it and everything after it run again).", valueName: "stage"))
    var from: RunStage?
    @Option(help: ArgumentHelp("Run only this stage.", valueName: "stage"))
    var only: RunStage?
    @Flag(help: "Run the selected stages even if they are up to date.")
    var force = false

    @OptionGroup var runtime: ThreadsOption

    func run() throws {
        let config = try selection.configuration()
        let runFolder = URL(fileURLWithPath: config.artifacts).appendingPathComponent(config.run)
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        let lock = try RunLock.acquire(in: runFolder.path)
        defer { lock.release() }

        // Every stage's options are parsed before any work, so a bad setting fails at once.
        let commands = try RunStage.allCases.map { stage in (stage, try StageCommands.parse(stage, config.arguments(for: stage))) }
        try AtomicFile.write(Data(config.yaml().utf8), to: runFolder.appendingPathComponent("run-config.yaml"))

        let fingerprints = RunLedger.fingerprints(config)
        var ledger = try RunLedger.load(runFolder: runFolder)
        var states: [RunStage: RunStageState] = [:]
        var redone: Set<RunStage> = []
        for (stage, _) in commands {
            guard config.isEnabled(stage) else {
                states[stage] = .notEnabled
                print("[\(stage.rawValue)] not enabled (enable with --set \(stage.rawValue).enabled=true)")
                continue
            }
            states[stage] = RunStageState.of(stage, runFolder: runFolder, ledger: ledger,
                                             fingerprint: fingerprints[stage]!, upstreamStates: states)
            // A stage redone in this invocation may have made different outputs (an interrupted
            // run resumed, a damaged artifact rebuilt): what reads them is redone too.
            if states[stage] == .done, let redoneUpstream = stage.upstream.first(where: { redone.contains($0) }) {
                states[stage] = .stale("upstream \(redoneUpstream.rawValue) was redone")
            }
            let selected = only.map { $0 == stage } ?? from.map { RunStage.allCases.firstIndex(of: stage)! >= RunStage.allCases.firstIndex(of: $0)! } ?? true
            if !selected {
                print("[\(stage.rawValue)] not selected (\(states[stage]!))")
                continue
            }
            let explicitlyRequested = force || only == stage || from == stage
                || (from.map { RunStage.allCases.firstIndex(of: stage)! > RunStage.allCases.firstIndex(of: $0)! } ?? false)
            if states[stage] == .done && !explicitlyRequested {
                print("[\(stage.rawValue)] up to date, reusing \(runFolder.appendingPathComponent(stage.folder).path)")
                continue
            }
            let resume = stage.resumable && ledger.stages[stage.rawValue]?.started == fingerprints[stage]
                && states[stage] == .stale("interrupted before it finished")
                && FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("\(stage.folder)/checkpoint.safetensors").path)
            print("[\(stage.rawValue)] \(resume ? "resuming" : "running") (\(states[stage]!))")
            ledger.stages[stage.rawValue, default: RunLedger.Entry()].started = fingerprints[stage]
            ledger.stages[stage.rawValue]?.completed = nil
            ledger.stages[stage.rawValue]?.outputs = nil
            try ledger.save(runFolder: runFolder)

            var command = try StageCommands.parse(stage, config.arguments(for: stage) + StageCommands.rerunFlags(stage, resume: resume))
            try command.run()
            // A stage stopped by Ctrl-C/SIGTERM returns after saving its checkpoint: not complete.
            if StopSignal.shared.stopRequested {
                print("[\(stage.rawValue)] stopped; `pipeline run` again resumes it")
                return
            }

            ledger.stages[stage.rawValue]?.completed = fingerprints[stage]
            ledger.stages[stage.rawValue]?.outputs = try StageFolderDigest.measure(runFolder.appendingPathComponent(stage.folder),
                                                                                      only: stage.artifactFiles)
            try ledger.save(runFolder: runFolder)
            states[stage] = .done
            redone.insert(stage)
        }
        print("run '\(config.run)' complete: \(runFolder.path)")
        let grid = runFolder.appendingPathComponent("samples/grid.png")
        if FileManager.default.fileExists(atPath: grid.path) { print("samples: \(grid.path)") }
        let metrics = runFolder.appendingPathComponent("reports/evaluate/metrics.json")
        if FileManager.default.fileExists(atPath: metrics.path) { print("metrics: \(metrics.path)") }
        let report = runFolder.appendingPathComponent("reports/compare/report.html")
        if config.isEnabled(.compare) && FileManager.default.fileExists(atPath: report.path) { print("compare: \(report.path)") }
    }
}

/// Which run, with which settings: shared by `run` and `status`.
struct RunSelection: ParsableArguments {
    @Option(help: ArgumentHelp("YAML configuration file (see README).", valueName: "file"))
    var config: String?
    @Option(help: "Preset: quick (about 15 minutes on synthetic flowers), default or full.")
    var preset: RunPreset?
    @Option(name: .customLong("run"), help: "Run name (overrides the configuration).")
    var runName: String?
    @Option(help: ArgumentHelp("Artifacts folder (overrides the configuration).", valueName: "dir"))
    var artifacts: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override one stage option, e.g. train-ae.minutes=10 or train-flow.ot=true.", valueName: "stage.option=value"))
    var settings: [String] = []

    func configuration() throws -> RunConfig {
        var config = try config.map { try RunConfig.load(from: URL(fileURLWithPath: $0), presetOverride: preset) }
            ?? RunConfig(preset: preset ?? .quick)
        if let runName { config.run = runName }
        if let artifacts { config.artifacts = artifacts }
        for setting in settings {
            guard let eq = setting.firstIndex(of: "="), let dot = setting[..<eq].firstIndex(of: "."),
                  let stage = RunStage(rawValue: String(setting[..<dot])) else {
                throw ValidationError("--set \(setting): expected stage.option=value with a stage among \(RunStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let key = String(setting[setting.index(after: dot)..<eq])
            let value = String(setting[setting.index(after: eq)...])
            config.stages[stage, default: [:]][key] = value == "true" ? .flag(true) : value == "false" ? .flag(false) : .value(value)
        }
        return config
    }
}

extension RunStage: ExpressibleByArgument {}
extension RunPreset: ExpressibleByArgument {}

/// The stage commands `run` drives in-process, with the same option parsing as on the command line.
enum StageCommands {
    static func parse(_ stage: RunStage, _ arguments: [String]) throws -> ParsableCommand {
        do {
            switch stage {
            case .prepare: return try PrepareCommand.parse(arguments)
            case .trainAE, .finetuneDecoder: return try TrainAECommand.parse(arguments)
            case .encode: return try EncodeCommand.parse(arguments)
            case .trainFlow: return try TrainFlowCommand.parse(arguments)
            case .generate, .flowLatents: return try GenerateCommand.parse(arguments)
            case .evaluate: return try EvaluateCommand.parse(arguments)
            case .trainPixel: return try TrainFlowCommand.parse(arguments)
            case .compare: return try CompareCommand.parse(arguments)
            }
        } catch {
            let message = PipelineCommand.message(for: error)
            throw ValidationError("stage \(stage.rawValue) (\(arguments.joined(separator: " "))): \(message)")
        }
    }

    /// Flags that make a rerun replace or continue what an earlier run left.
    static func rerunFlags(_ stage: RunStage, resume: Bool) -> [String] {
        switch stage {
        case .trainAE, .finetuneDecoder, .trainFlow, .trainPixel: return [resume ? "--resume" : "--restart"]
        case .encode: return ["--force"]
        // compare decides itself what of its inputs it can reuse.
        case .prepare, .flowLatents, .generate, .evaluate, .compare: return []
        }
    }
}
