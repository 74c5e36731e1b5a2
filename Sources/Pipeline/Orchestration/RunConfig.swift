import Foundation
import Yams

/// The settings of a whole run: a preset, and per stage the options of its command
/// (`pipeline <stage> --help` lists them; keys are the long option names without `--`).
///
/// ```yaml
/// preset: quick
/// run: flowers
/// stages:
///   train-ae: { minutes: 10, width-scale: 0.5 }
///   train-flow: { minutes: 20, ot: true }
/// ```
/// A flag option takes `true`/`false`; an option that repeats takes a list.
///
/// The optional stages run only when enabled: `finetune-decoder: { enabled: true }` fine-tunes
/// the decoder of train-ae's autoencoder (`train-ae --finetune-decoder`, into `decoder/`), and
/// generate decodes with it; with `flow-latents: { enabled: true }` as well, latents sampled from
/// the flow first (`generate --latents-only`, with generate's sampler settings) are judged by
/// the fine-tune's discriminator too (`--generated-latents`); `compare: { enabled: true }` runs the pixel
/// baseline (`train-pixel`, which trains with train-flow's budget unless given its own) and then
/// the comparison report (sampled with generate's settings unless given its own);
/// `train-pixel: { enabled: true }` runs the baseline alone; `distill-flow: { enabled: true }`
/// distils the flow into a few-step generator (into `fewstep/`, with generate's guidance).
public struct RunConfig: Equatable, Sendable {
    public var preset: RunPreset
    public var run: String
    public var artifacts: String
    /// Stage → option name → value(s), after the preset's defaults were overlaid.
    public var stages: [RunStage: [String: RunOptionValue]]

    /// The run and artifacts folder names when none is given.
    public static let defaultRun = ArtifactFolders.defaultRun
    public static let defaultArtifacts = ArtifactFolders.defaultArtifacts

    public init(
        preset: RunPreset = .quick, run: String = defaultRun, artifacts: String = defaultArtifacts,
        overrides: [RunStage: [String: RunOptionValue]] = [:]
    ) {
        self.preset = preset
        self.run = run
        self.artifacts = artifacts
        var stages = preset.stageOptions
        // A stage listed without options keeps the preset's.
        for (stage, options) in overrides where !options.isEmpty { stages[stage, default: [:]].merge(options) { $1 } }
        self.stages = stages
    }

    /// Reads a YAML file; unknown top-level keys, stages or preset names are errors that name the file.
    public static func load(from url: URL, presetOverride: RunPreset? = nil) throws -> RunConfig {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RunConfigError("\(url.path): cannot read the configuration: \(error.localizedDescription)")
        }
        return try parse(text, source: url.path, presetOverride: presetOverride)
    }

    public static func parse(_ text: String, source: String, presetOverride: RunPreset? = nil) throws -> RunConfig {
        let file: RunConfigFile
        do {
            file = try RunConfigFile.decode(text)
        } catch let error as RunConfigFileError {
            throw RunConfigError("\(source): \(error.message)")
        }
        return RunConfig(
            preset: presetOverride ?? file.preset ?? .quick, run: file.run ?? Self.defaultRun,
            artifacts: file.artifacts ?? Self.defaultArtifacts, overrides: file.stages)
    }

    /// The configuration `pipeline run` saves in the run folder, and reads back when a later
    /// `run` or `status` names no configuration.
    public static let savedFileName = "run-config.yaml"

    /// The key that switches an optional stage on; it is not passed to the stage's command.
    public static let enabledKey = "enabled"

    /// Whether `pipeline run` runs `stage`: always for the main stages; for `compare` when it
    /// is enabled; for `train-pixel` when it or `compare` is enabled.
    public func isEnabled(_ stage: RunStage) -> Bool {
        func on(_ stage: RunStage) -> Bool { stages[stage]?[Self.enabledKey] == .flag(true) }
        switch stage {
        case .finetuneDecoder: return on(.finetuneDecoder)
        // Latents for the fine-tune only: without it, they would be made for nothing.
        case .flowLatents: return on(.flowLatents) && on(.finetuneDecoder)
        case .trainPixel: return on(.trainPixel) || on(.compare)
        case .compare: return on(.compare)
        case .distillFlow: return on(.distillFlow)
        default: return true
        }
    }

    /// The options `stage` is run with: its own, plus for the optional stages what they share
    /// with the main ones (the training budget; the sampler settings) unless set explicitly.
    public func effectiveOptions(for stage: RunStage) -> [String: RunOptionValue] {
        var options = stages[stage] ?? [:]
        options[Self.enabledKey] = nil
        func inherit(_ key: String, from other: RunStage, as name: String? = nil) {
            if options[name ?? key] == nil, let value = stages[other]?[key] { options[name ?? key] = value }
        }
        switch stage {
        case .finetuneDecoder:
            // The source's shape (or the copy fails), its data and its reconstruction objective;
            // budget, learning rate and the adversarial term are the fine-tune's own.
            for key in [
                "width-scale", "levels", "codebook-size", "train-subsets", "eval-subset", "eval-images",
                "mse-weight", "l1-weight", "gradient-weight", "batch-size", "no-augment",
            ] {
                inherit(key, from: .trainAE)
            }
            if options["finetune-decoder"] == nil { options["finetune-decoder"] = .value(model(of: .trainAE)) }
            if isEnabled(.flowLatents) && options["generated-latents"] == nil {
                options["generated-latents"] = .value(
                    path(of: .flowLatents, file: RunStage.flowLatents.artifactFiles![0]))
            }
        case .flowLatents:
            // The latents generate will decode: its sampler and guidance, every class in turn.
            for key in ["sampler", "steps", "rtol", "atol", "shift", "guidance", "guidance-interval"] {
                inherit(key, from: .generate)
            }
            if options["classes"] == nil { options["classes"] = .value("all") }
            options["latents-only"] = .flag(true)
            options["output"] = .value(folder(of: stage))
        case .generate where isEnabled(.finetuneDecoder):
            if options["autoencoder"] == nil { options["autoencoder"] = .value(model(of: .finetuneDecoder)) }
        case .distillFlow:
            // The guided field generate samples is the one distilled, with generate's sampler (all of
            // its settings: the pairs are the endpoints generate would reach) as the teacher's.
            for key in ["guidance", "guidance-interval"] { inherit(key, from: .generate) }
            for key in ["sampler", "steps", "shift", "rtol", "atol"] {
                inherit(key, from: .generate, as: "teacher-\(key)")
            }
        case .trainPixel:
            // Equal compute: the same budget as the latent flow.
            inherit("minutes", from: .trainFlow)
            inherit("steps", from: .trainFlow)
            options["space"] = .value("pixel")
        case .compare:
            inherit("minutes", from: .trainFlow)
            inherit("steps", from: .trainFlow, as: "train-steps")
            for key in ["count", "seed", "sampler", "steps", "rtol", "atol", "shift", "guidance", "guidance-interval"] {
                inherit(key, from: .generate)
            }
            // The latent samples decoded as generate decodes them (its option, or the fine-tuned decoder).
            if options["autoencoder"] == nil {
                options["autoencoder"] = effectiveOptions(for: .generate)["autoencoder"]
            }
        default:
            break
        }
        return options
    }

    /// The model file a training stage writes, as a path under the artifacts folder.
    func model(of stage: RunStage) -> String {
        path(of: stage, file: TrainAEStage.modelFile)
    }

    /// A file of `stage`'s folder, as a path under the artifacts folder.
    func path(of stage: RunStage, file: String) -> String {
        (folder(of: stage) as NSString).appendingPathComponent(file)
    }

    /// `stage`'s folder, as a path under the artifacts folder.
    func folder(of stage: RunStage) -> String {
        (artifacts as NSString).appendingPathComponent("\(run)/\(stage.folder)")
    }

    /// Options `pipeline run` sets itself: where a stage reads and writes, how it starts, and
    /// what makes a stage the stage it is. A configuration that sets one is refused.
    public static func reservedKeys(of stage: RunStage) -> Set<String> {
        var keys: Set<String> = [
            "run", "artifacts", "output", "resume", "restart", "force", "threads",
            "evaluate-only", "save-reconstructions", "latents-only", "json",
        ]
        switch stage {
        case .trainFlow, .trainPixel: keys.insert("space")
        case .compare: keys.formUnion(["variants", "seeds", "variant-space"])
        default: break
        }
        return keys
    }

    /// The command-line arguments of `stage` (its options, plus the run and artifacts folders).
    /// A flag set to false becomes `--no-<name>` where `negatedFlag` names such a switch (the
    /// command's default is on), and nothing otherwise (the default is off).
    public func arguments(for stage: RunStage, negatedFlag: (String) -> String? = { _ in nil }) -> [String] {
        // `prepare` names its output folder directly; the other stages derive theirs from run and artifacts.
        var args =
            stage == .prepare
            ? ["--run", run, "--output", folder(of: stage)]
            : ["--run", run, "--artifacts", artifacts]
        for (key, value) in effectiveOptions(for: stage).sorted(by: { $0.key < $1.key }) {
            args += value.arguments(name: key, negated: negatedFlag(key))
        }
        return args
    }

    /// The effective configuration as YAML (every stage, with the options it runs with), saved
    /// in the run folder for the record and for later runs that name no configuration.
    public func yaml() throws -> String {
        var stages = self.stages
        for stage in RunStage.allCases where stages[stage] == nil { stages[stage] = [:] }
        return try RunConfigFile(preset: preset, run: run, artifacts: artifacts, stages: stages).yaml()
    }
}

public struct RunConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
