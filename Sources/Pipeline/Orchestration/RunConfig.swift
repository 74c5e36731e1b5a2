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
/// `train-pixel: { enabled: true }` runs the baseline alone.
public struct RunConfig: Equatable, Sendable {
    public var preset: RunPreset
    public var run: String
    public var artifacts: String
    /// Stage → option name → value(s), after the preset's defaults were overlaid.
    public var stages: [RunStage: [String: RunOptionValue]]

    public init(preset: RunPreset = .quick, run: String = "default", artifacts: String = "artifacts",
                overrides: [RunStage: [String: RunOptionValue]] = [:]) {
        self.preset = preset
        self.run = run
        self.artifacts = artifacts
        var stages = preset.stageOptions
        for (stage, options) in overrides { stages[stage, default: [:]].merge(options) { $1 } }
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
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw RunConfigError("\(source): not valid YAML: \(error)")
        }
        guard let root = (document ?? [String: Any]()) as? [String: Any] else {
            throw RunConfigError("\(source): the configuration must be a mapping of settings")
        }
        let known: Set<String> = ["preset", "run", "artifacts", "stages"]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw RunConfigError("\(source): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        var preset = RunPreset.quick
        if let name = root["preset"] {
            guard let p = RunPreset(rawValue: "\(name)") else {
                throw RunConfigError("\(source): unknown preset '\(name)' (known: \(RunPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            preset = p
        }
        var overrides: [RunStage: [String: RunOptionValue]] = [:]
        if let stages = root["stages"] {
            guard let map = stages as? [String: Any] else {
                throw RunConfigError("\(source): 'stages' must map stage names to their options")
            }
            for (name, options) in map {
                guard let stage = RunStage(rawValue: name) else {
                    throw RunConfigError("\(source): unknown stage '\(name)' (known: \(RunStage.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                // A stage listed with nothing after it (`train-ae:`) is YAML null: no options.
                let reflected = Mirror(reflecting: options)
                let isNull = options is NSNull || (reflected.displayStyle == .optional && reflected.children.isEmpty)
                guard let optionMap = isNull ? [:] : options as? [String: Any] else {
                    throw RunConfigError("\(source): the options of stage '\(name)' must be a mapping")
                }
                for (key, value) in optionMap {
                    overrides[stage, default: [:]][key] = try RunOptionValue(yaml: value, where: "\(source): stages.\(name).\(key)")
                }
            }
        }
        return RunConfig(preset: presetOverride ?? preset, run: root["run"].map { "\($0)" } ?? "default",
                         artifacts: root["artifacts"].map { "\($0)" } ?? "artifacts", overrides: overrides)
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
            for key in ["width-scale", "levels", "codebook-size", "train-subsets", "eval-subset", "eval-images",
                        "mse-weight", "l1-weight", "gradient-weight", "batch-size", "no-augment"] {
                inherit(key, from: .trainAE)
            }
            if options["finetune-decoder"] == nil { options["finetune-decoder"] = .value(model(of: .trainAE)) }
            if isEnabled(.flowLatents) && options["generated-latents"] == nil {
                options["generated-latents"] = .value(path(of: .flowLatents, file: RunStage.flowLatents.artifactFiles![0]))
            }
        case .flowLatents:
            // The latents generate will decode: its sampler and guidance, every class in turn.
            for key in ["sampler", "steps", "rtol", "atol", "shift", "guidance", "guidance-interval"] { inherit(key, from: .generate) }
            if options["classes"] == nil { options["classes"] = .value("all") }
            options["latents-only"] = .flag(true)
            options["output"] = .value(folder(of: stage))
        case .generate where isEnabled(.finetuneDecoder):
            if options["autoencoder"] == nil { options["autoencoder"] = .value(model(of: .finetuneDecoder)) }
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
            if options["autoencoder"] == nil { options["autoencoder"] = effectiveOptions(for: .generate)["autoencoder"] }
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
        var keys: Set<String> = ["run", "artifacts", "output", "resume", "restart", "force", "threads",
                                 "evaluate-only", "save-reconstructions", "latents-only", "json"]
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
        var args = stage == .prepare
            ? ["--run", run, "--output", folder(of: stage)]
            : ["--run", run, "--artifacts", artifacts]
        for (key, value) in effectiveOptions(for: stage).sorted(by: { $0.key < $1.key }) {
            args += value.arguments(name: key, negated: negatedFlag(key))
        }
        return args
    }

    /// The effective configuration as YAML, saved in the run folder for the record.
    public func yaml() -> String {
        var lines = ["preset: \(preset.rawValue)", "run: \(RunOptionValue.scalar(run))",
                     "artifacts: \(RunOptionValue.scalar(artifacts))", "stages:"]
        for stage in RunStage.allCases {
            let options = stages[stage] ?? [:]
            lines.append("  \(stage.rawValue):" + (options.isEmpty ? " {}" : ""))
            for (key, value) in options.sorted(by: { $0.key < $1.key }) { lines.append("    \(key): \(value.yaml)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One option value from a configuration file.
public enum RunOptionValue: Equatable, Sendable {
    case flag(Bool)
    case value(String)
    case list([String])

    init(yaml: Any, where place: String) throws {
        switch yaml {
        case let b as Bool: self = .flag(b)
        case let list as [Any]: self = .list(list.map { "\($0)" })
        case let number as Int: self = .value(String(number))
        case let number as Double: self = .value(String(number))
        case let text as String: self = .value(text)
        default: throw RunConfigError("\(place): expected a number, text, true/false or a list, got \(yaml)")
        }
    }

    func arguments(name: String, negated: String? = nil) -> [String] {
        switch self {
        case .flag(let on): return on ? ["--\(name)"] : negated.map { ["--\($0)"] } ?? []
        case .value(let v): return ["--\(name)", v]
        case .list(let vs): return vs.isEmpty ? [] : ["--\(name)"] + vs
        }
    }

    var yaml: String {
        switch self {
        case .flag(let on): return on ? "true" : "false"
        case .value(let v): return Self.scalar(v)
        case .list(let vs): return "[" + vs.map(Self.scalar).joined(separator: ", ") + "]"
        }
    }

    /// `text` as a YAML scalar that reads back as the same text: quoted (with escapes) when needed.
    static func scalar(_ text: String) -> String {
        guard needsQuotes(text) else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Whether YAML would read `text` back as something else than this text or number: a word
    /// YAML takes for true, false or null, an indicator at the start, or a character that ends
    /// a plain scalar or a list item.
    static func needsQuotes(_ text: String) -> Bool {
        let words: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""]
        // A number YAML would read back in another spelling (1e-4 as 0.0001, 007 as 7) keeps its own.
        if let integer = Int(text) { if String(integer) != text { return true } }
        else if let number = Double(text), String(number) != text { return true }
        let indicators = Set("[]{}#&*!|>'\"%@`,?:")
        return words.contains(text.lowercased()) || indicators.contains(text.first ?? " ") || text.hasPrefix("- ")
            || text.contains(": ") || text.contains(" #") || text.contains(",") || text.contains("\\")
            || text.hasPrefix(" ") || text.hasSuffix(" ") || text.hasSuffix(":")
    }
}

public struct RunConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
