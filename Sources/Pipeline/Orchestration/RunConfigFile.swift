import Yams

/// A run configuration as a file holds it (`--config`, the saved `run-config.yaml`): the preset,
/// the run's place and, per stage, the options it overrides. Yams' decoder reads it with every
/// key checked, and its encoder writes the saved file; nothing here is written by hand.
struct RunConfigFile: Equatable {
    var preset: RunPreset?
    var run: String?
    var artifacts: String?
    var stages: [RunStage: [String: RunOptionValue]] = [:]

    static let topLevelKeys = ["preset", "run", "artifacts", "stages"]
}

/// A problem with a configuration's content, said without the file's name (the caller adds it).
struct RunConfigFileError: Error {
    let message: String
}

/// Any key of a mapping.
private struct MappingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { nil }
}

extension RunConfigFile: Codable {
    init(from decoder: Decoder) throws {
        // An empty file (or one of comments only) is an empty configuration.
        if let single = try? decoder.singleValueContainer(),
            single.decodeNil() || (try? single.decode(String.self)) == ""
        {
            return
        }
        guard let root = try? decoder.container(keyedBy: MappingKey.self) else {
            throw RunConfigFileError(
                message:
                    "the configuration must be a mapping of settings (\(Self.topLevelKeys.joined(separator: ", ")))")
        }
        if let unknown = root.allKeys.map(\.stringValue).sorted().first(where: { !Self.topLevelKeys.contains($0) }) {
            throw RunConfigFileError(
                message: "unknown setting '\(unknown)' (known: \(Self.topLevelKeys.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String) throws -> String? {
            guard root.contains(MappingKey(key)), !(try root.decodeNil(forKey: MappingKey(key))) else { return nil }
            guard let value = try? root.decode(String.self, forKey: MappingKey(key)) else {
                throw RunConfigFileError(message: "'\(key)' must be a name, not a list or mapping")
            }
            return value
        }
        if let name = try text("preset") {
            guard let preset = RunPreset(rawValue: name) else {
                throw RunConfigFileError(
                    message:
                        "unknown preset '\(name)' (known: \(RunPreset.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            self.preset = preset
        }
        run = try text("run")
        artifacts = try text("artifacts")
        guard root.contains(MappingKey("stages")), !(try root.decodeNil(forKey: MappingKey("stages"))) else { return }
        guard let stages = try? root.nestedContainer(keyedBy: MappingKey.self, forKey: MappingKey("stages")) else {
            throw RunConfigFileError(message: "'stages' must map stage names to their options")
        }
        for key in stages.allKeys {
            guard let stage = RunStage(rawValue: key.stringValue) else {
                throw RunConfigFileError(
                    message:
                        "unknown stage '\(key.stringValue)' (known: \(RunStage.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            // A stage listed with nothing after it (`train-ae:`) has no options.
            if try stages.decodeNil(forKey: key) {
                self.stages[stage] = [:]
                continue
            }
            guard let options = try? stages.nestedContainer(keyedBy: MappingKey.self, forKey: key) else {
                throw RunConfigFileError(message: "the options of stage '\(stage.rawValue)' must be a mapping")
            }
            var values: [String: RunOptionValue] = [:]
            for option in options.allKeys {
                do {
                    values[option.stringValue] = try options.decode(RunOptionValue.self, forKey: option)
                } catch {
                    throw RunConfigFileError(
                        message:
                            "stages.\(stage.rawValue).\(option.stringValue): expected a number, text, true/false or a list of them"
                    )
                }
            }
            self.stages[stage] = values
        }
    }

    /// Keys in a fixed order (the top level as documented, stages in pipeline order, options
    /// sorted), so the same configuration is always the same file.
    func encode(to encoder: Encoder) throws {
        var root = encoder.container(keyedBy: MappingKey.self)
        try root.encodeIfPresent(preset?.rawValue, forKey: MappingKey("preset"))
        try root.encodeIfPresent(run, forKey: MappingKey("run"))
        try root.encodeIfPresent(artifacts, forKey: MappingKey("artifacts"))
        var stagesContainer = root.nestedContainer(keyedBy: MappingKey.self, forKey: MappingKey("stages"))
        for stage in RunStage.allCases {
            guard let options = stages[stage] else { continue }
            var optionsContainer = stagesContainer.nestedContainer(
                keyedBy: MappingKey.self, forKey: MappingKey(stage.rawValue))
            for (key, value) in options.sorted(by: { $0.key < $1.key }) {
                try optionsContainer.encode(value, forKey: MappingKey(key))
            }
        }
    }

    /// The file's text.
    func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// Reads a configuration's text; problems are reported as `RunConfigFileError`.
    static func decode(_ text: String) throws -> RunConfigFile {
        try YAMLExpansionLimit.check(text)
        do {
            return try YAMLDecoder().decode(RunConfigFile.self, from: text)
        } catch let error as RunConfigFileError {
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.underlyingError is RunConfigFileError {
            // Yams' decoder wraps what `init(from:)` throws.
            throw context.underlyingError!
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw RunConfigFileError(
                message: "not valid YAML: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
        } catch {
            throw RunConfigFileError(message: "not a valid configuration: \(error)")
        }
    }
}
