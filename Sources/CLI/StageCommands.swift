import ArgumentParser
import Foundation
import Pipeline

/// A stage command that `pipeline run` drives: it turns its parsed arguments into the typed
/// options of its stage, which are the stage's settings (`StageSettings`).
protocol StageCommand: ParsableCommand {
    associatedtype StageOptions: Encodable
    func stageOptions() throws -> StageOptions
}

extension PrepareCommand: StageCommand {
    func stageOptions() -> PrepareStage.Options { options() }
}
extension TrainAECommand: StageCommand {
    func stageOptions() throws -> TrainAEOptions { try options() }
}
extension EncodeCommand: StageCommand {
    func stageOptions() -> EncodeStage.Options { options() }
}
extension TrainFlowCommand: StageCommand {
    func stageOptions() throws -> TrainFlowStage.Options { try options() }
}
extension DistillFlowCommand: StageCommand {
    func stageOptions() throws -> DistillFlowStage.Options { try options() }
}
extension GenerateCommand: StageCommand {
    func stageOptions() throws -> GenerateStage.Options { try options() }
}
extension EvaluateCommand: StageCommand {
    func stageOptions() throws -> EvaluateStage.Options { try options() }
}
extension CompareCommand: StageCommand {
    func stageOptions() throws -> CompareStage.Options { try options() }
}

/// The stage commands `run` drives in-process, with the same option parsing as on the command line.
enum StageCommands {
    static func type(of stage: RunStage) -> any StageCommand.Type {
        switch stage {
        case .prepare: return PrepareCommand.self
        case .trainAE, .finetuneDecoder: return TrainAECommand.self
        case .encode: return EncodeCommand.self
        case .trainFlow, .trainPixel: return TrainFlowCommand.self
        case .distillFlow: return DistillFlowCommand.self
        case .generate, .flowLatents: return GenerateCommand.self
        case .evaluate: return EvaluateCommand.self
        case .compare: return CompareCommand.self
        }
    }

    /// The command-line arguments of `stage` under `config`, after checking every option the
    /// configuration gives it: an unknown or reserved key, or a value of the wrong kind, is an
    /// error naming the stage, the key and the stage's valid keys.
    static func arguments(for stage: RunStage, in config: RunConfig) throws -> [String] {
        let names = OptionNames.of(type(of: stage))
        let reserved = RunConfig.reservedKeys(of: stage)
        for (key, value) in config.stages[stage] ?? [:] where key != RunConfig.enabledKey {
            let valid = names.all.subtracting(reserved).sorted()
            func problem(_ text: String) -> Error {
                ValidationError("stage \(stage.rawValue): \(text) (valid keys: \(valid.joined(separator: ", ")))")
            }
            if reserved.contains(key) {
                throw problem("'\(key)' is set by `pipeline run` itself and cannot be configured")
            }
            switch value {
            case .flag where !names.flags.contains(key):
                if names.options.contains(key) { throw problem("'\(key)' takes a value, not true/false") }
                throw problem("unknown key '\(key)'")
            case .value, .list:
                if names.flags.contains(key) { throw problem("'\(key)' is a switch: give true or false") }
                if !names.options.contains(key) { throw problem("unknown key '\(key)'") }
            case .flag:
                break
            }
        }
        return config.arguments(for: stage, negatedFlag: { names.flags.contains("no-\($0)") ? "no-\($0)" : nil })
    }

    static func parse(_ stage: RunStage, _ arguments: [String]) throws -> any StageCommand {
        do {
            return try type(of: stage).parse(arguments)
        } catch {
            let message = PipelineCommand.message(for: error)
            throw ValidationError("stage \(stage.rawValue) (\(arguments.joined(separator: " "))): \(message)")
        }
    }

    /// The canonical settings `stage` runs with under `config`.
    static func settings(_ stage: RunStage, in config: RunConfig, runFolder: URL) throws -> StageSettings {
        let command = try parse(stage, try arguments(for: stage, in: config))
        do {
            return try StageSettings(
                try command.stageOptions(), runFolder: runFolder,
                base: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        } catch let error as ValidationError {
            throw ValidationError("stage \(stage.rawValue): \(error.message)")
        }
    }

    /// The settings of every stage, parsed before any work so that a bad setting fails at once.
    static func allSettings(_ config: RunConfig, runFolder: URL) throws -> [RunStage: StageSettings] {
        var result: [RunStage: StageSettings] = [:]
        for stage in RunStage.allCases { result[stage] = try settings(stage, in: config, runFolder: runFolder) }
        return result
    }

    /// Flags that make a rerun replace or continue what an earlier run left.
    static func rerunFlags(_ stage: RunStage, resume: Bool) -> [String] {
        switch stage {
        case .trainAE, .finetuneDecoder, .trainFlow, .trainPixel, .distillFlow:
            return [resume ? "--resume" : "--restart"]
        case .encode: return ["--force"]
        // compare decides itself what of its inputs it can reuse.
        case .prepare, .flowLatents, .generate, .evaluate, .compare: return []
        }
    }
}

/// The long names a command accepts, split into switches and options taking values, read from
/// ArgumentParser's own description of the command (the one behind `--experimental-dump-help`).
struct OptionNames {
    var flags: Set<String> = []
    var options: Set<String> = []
    var all: Set<String> { flags.union(options) }

    static func of(_ command: any ParsableCommand.Type) -> OptionNames {
        var names = OptionNames()
        guard let data = command._dumpHelp().data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let description = root["command"] as? [String: Any],
            let arguments = description["arguments"] as? [[String: Any]]
        else { return names }
        for argument in arguments {
            let long = ((argument["names"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "long" }
                .compactMap { $0["name"] as? String }
            switch argument["kind"] as? String {
            case "flag": names.flags.formUnion(long)
            case "option": names.options.formUnion(long)
            default: break
            }
        }
        names.flags.subtract(["help", "version"])
        return names
    }
}
