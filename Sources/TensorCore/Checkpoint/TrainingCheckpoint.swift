import FileFormats
import Foundation

/// Everything needed to continue a training run exactly where it stopped, in one safetensors file.
///
/// Tensors: the parameters under their dotted names, the optimizer state as
/// `optimizer.<name>.exp_avg` / `.exp_avg_sq` (F32) and `optimizer.<name>.step` (I64 scalar), and
/// the EMA averages as `ema.<name>`. Metadata: `format`, `format_version`, `step`, `optimizer`
/// (JSON: algorithm and hyper-parameters), `ema` (JSON: decay, warm-up), `schedule` (JSON),
/// `rng.<name>` (the generator's state words, comma-separated decimals) and `user`, a
/// free-form JSON document of the caller's (data-loader position, configuration hash…).
///
/// Float tensors are stored bit for bit, so a run resumed from a checkpoint reproduces the
/// uninterrupted run exactly.
public struct TrainingCheckpoint: Sendable {
    public static let formatName = "fmf-training-checkpoint"
    public static let formatVersion = 1

    /// Number of optimizer steps completed; the next step has this 0-based index.
    public var step: Int
    public var parameters: [String: Tensor]
    public var optimizer: OptimizerSnapshot?
    public var ema: EMASnapshot?
    public var schedule: LearningRateSchedule?
    /// Random generators by the caller's names ("data", "noise"…), with their exact state.
    public var generators: [String: SeededGenerator]
    /// A JSON document for the caller; "{}" when there is nothing.
    public var userInfo: String
    /// The file this checkpoint was loaded from (used in error messages), or "<memory>".
    public private(set) var source: String = "<memory>"

    public init(
        step: Int, parameters: [String: Tensor], optimizer: OptimizerSnapshot? = nil, ema: EMASnapshot? = nil,
        schedule: LearningRateSchedule? = nil, generators: [String: SeededGenerator] = [:],
        userInfo: String = "{}"
    ) {
        self.step = step
        self.parameters = parameters
        self.optimizer = optimizer
        self.ema = ema
        self.schedule = schedule
        self.generators = generators
        self.userInfo = userInfo
    }

    /// Captures live training objects. Tensors are shared copy-on-write, so this is cheap and
    /// later training steps do not change the capture. If the EMA's averages are swapped into
    /// the parameters, the trained values are captured as parameters all the same.
    public init(
        step: Int, parameters: [NamedParameter], optimizer: (any Optimizer)? = nil,
        ema: ExponentialMovingAverage? = nil, schedule: LearningRateSchedule? = nil,
        generators: [String: SeededGenerator] = [:], userInfo: String = "{}"
    ) {
        var trainedValues: [ObjectIdentifier: Tensor] = [:]
        if let ema, ema.isSwapped {
            for (index, parameter) in ema.parameters.enumerated() {
                trainedValues[ObjectIdentifier(parameter.variable)] = ema.shadow[index]
            }
        }
        var values: [String: Tensor] = [:]
        for parameter in parameters {
            values[parameter.name] = trainedValues[ObjectIdentifier(parameter.variable)] ?? parameter.variable.value
        }
        self.init(
            step: step, parameters: values, optimizer: optimizer.map(OptimizerSnapshot.init(of:)),
            ema: ema.map(EMASnapshot.init(of:)), schedule: schedule, generators: generators, userInfo: userInfo)
    }

    /// Captures the training objects and writes them to `url` atomically.
    public static func save(
        to url: URL, step: Int, parameters: [NamedParameter], optimizer: (any Optimizer)? = nil,
        ema: ExponentialMovingAverage? = nil, schedule: LearningRateSchedule? = nil,
        generators: [String: SeededGenerator] = [:], userInfo: String = "{}"
    ) throws {
        try TrainingCheckpoint(
            step: step, parameters: parameters, optimizer: optimizer, ema: ema, schedule: schedule,
            generators: generators, userInfo: userInfo
        ).save(to: url)
    }

    /// The generator saved under `name`.
    public func generator(_ name: String) throws -> SeededGenerator {
        guard let generator = generators[name] else {
            throw FileFormatError(
                .malformed, path: source,
                "no random generator '\(name)' in the checkpoint "
                    + "(it has \(generators.keys.sorted()))")
        }
        return generator
    }

    /// Puts the saved values into live training objects: every parameter (names and shapes must
    /// match exactly), the optimizer state and learning rate, and the EMA averages. Pass nil for
    /// objects you do not want restored. Everything is checked before anything changes, and
    /// errors name the checkpoint file.
    public func restore(
        parameters targets: [NamedParameter], optimizer target: (any Optimizer)? = nil,
        ema targetEMA: ExponentialMovingAverage? = nil
    ) throws {
        do {
            try checkSameNamesAndShapes(targets, parameters, what: "parameter", source: source)
            if let targetEMA {
                guard let ema else { throw TrainingStateError(source: source, "the checkpoint has no EMA averages") }
                try checkSameNamesAndShapes(targetEMA.parameters, ema.averages, what: "EMA average", source: source)
                precondition(!targetEMA.isSwapped, "TrainingCheckpoint.restore: swap the EMA weights back first")
            }
            if let target {
                guard let optimizer else {
                    throw TrainingStateError(source: source, "the checkpoint has no optimizer state")
                }
                guard optimizer.algorithm == target.algorithmName else {
                    throw TrainingStateError(
                        source: source,
                        "the checkpoint's optimizer is \(optimizer.algorithm), "
                            + "it cannot be restored into \(target.algorithmName)")
                }
                try target.importState(optimizer.state, source: source)
                if let rate = optimizer.hyperParameters["lr"] { target.learningRate = rate }
            }
            try replaceValues(of: targets, with: parameters, source: source)
            if let targetEMA, let ema { try targetEMA.loadAverages(ema.averages, source: source) }
        } catch let error as TrainingStateError {
            throw FileFormatError(.malformed, path: error.source, error.message)
        }
    }
}

// MARK: - File layout

extension TrainingCheckpoint {
    static let optimizerPrefix = "optimizer."
    static let emaPrefix = "ema."
    static let generatorPrefix = "rng."

    /// Writes the checkpoint to `url` atomically (temporary file in the same folder, then rename).
    public func save(to url: URL) throws {
        let path = url.path
        guard step >= 0 else { throw FileFormatError(.writeFailed, path: path, "negative step \(step)") }
        guard (try? JSONSerialization.jsonObject(with: Data(userInfo.utf8), options: [.fragmentsAllowed])) != nil else {
            throw FileFormatError(
                .writeFailed, path: path, "the caller's user information is not valid JSON: \(userInfo.prefix(80))")
        }
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, value) in parameters {
            guard !name.hasPrefix(Self.optimizerPrefix), !name.hasPrefix(Self.emaPrefix) else {
                throw FileFormatError(
                    .writeFailed, path: path,
                    "parameter name '\(name)' collides with the optimizer/EMA entries")
            }
            tensors[name] = Self.encodeTensor(value)
        }
        var metadata = [
            "format": Self.formatName, "format_version": String(Self.formatVersion),
            "step": String(step), "user": userInfo,
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        if let optimizer {
            metadata["optimizer"] = try json(
                OptimizerDescription(
                    algorithm: optimizer.algorithm,
                    hyper_parameters: optimizer.hyperParameters))
            for (name, state) in optimizer.state.parameters {
                let prefix = Self.optimizerPrefix + name + "."
                tensors[prefix + "step"] = Self.encodeStep(state.step)
                for (slot, value) in state.slots {
                    guard !slot.contains("."), slot != "step" else {
                        throw FileFormatError(.writeFailed, path: path, "optimizer slot name '\(slot)' is not allowed")
                    }
                    tensors[prefix + slot] = Self.encodeTensor(value)
                }
            }
        }
        if let ema {
            metadata["ema"] = try json(EMADescription(decay: ema.decay, warmup: ema.warmup))
            for (name, value) in ema.averages { tensors[Self.emaPrefix + name] = Self.encodeTensor(value) }
        }
        if let schedule { metadata["schedule"] = try json(schedule) }
        for (name, generator) in generators {
            metadata[Self.generatorPrefix + name] = generator.stateWords.map { String($0) }.joined(separator: ",")
        }
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// The step a checkpoint file says it was saved at, or nil if it cannot be read (for messages
    /// about a checkpoint in the way; `load(from:)` is what checks one).
    public static func step(at url: URL) -> Int? {
        (try? SafetensorsFile.read(from: url)).flatMap { $0.metadata["step"] }.flatMap { Int($0) }
    }

    /// Reads and checks a checkpoint written by `save(to:)`. Errors name the file and the
    /// entry at fault (wrong format, missing or misshapen optimizer state, bad metadata).
    public static func load(from url: URL) throws -> TrainingCheckpoint {
        let path = url.path
        let file = try SafetensorsFile.read(from: url)
        let metadata = file.metadata
        guard metadata["format"] == formatName else {
            throw FileFormatError(
                .badMagic, path: path,
                "not a training checkpoint (metadata 'format' is "
                    + "\(metadata["format"].map { "'\($0)'" } ?? "absent"), expected '\(formatName)')")
        }
        guard metadata["format_version"] == String(formatVersion) else {
            throw FileFormatError(
                .unsupported, path: path,
                "checkpoint format version \(metadata["format_version"] ?? "absent"), expected \(formatVersion)")
        }
        guard let stepText = metadata["step"], let step = Int(stepText), step >= 0 else {
            throw FileFormatError(.malformed, path: path, "metadata 'step' must be a non-negative integer")
        }
        func decode<T: Decodable>(_ type: T.Type, key: String) throws -> T? {
            guard let text = metadata[key] else { return nil }
            return try JSONFile.decode(type, from: Data(text.utf8), path: "\(path) (metadata '\(key)')")
        }
        let optimizerDescription = try decode(OptimizerDescription.self, key: "optimizer")
        let emaDescription = try decode(EMADescription.self, key: "ema")
        let schedule = try decode(LearningRateSchedule.self, key: "schedule")
        let userInfo = metadata["user"] ?? "{}"

        var parameters: [String: Tensor] = [:]
        var averages: [String: Tensor] = [:]
        var optimizerSteps: [String: Int] = [:]
        var optimizerSlots: [String: [String: Tensor]] = [:]
        for (key, entry) in file.tensors {
            if key.hasPrefix(optimizerPrefix) {
                let rest = key.dropFirst(optimizerPrefix.count)
                guard let dot = rest.lastIndex(of: "."), dot != rest.startIndex else {
                    throw FileFormatError(.malformed, path: path, "tensor '\(key)' is not optimizer.<parameter>.<slot>")
                }
                let name = String(rest[..<dot]), slot = String(rest[rest.index(after: dot)...])
                if slot == "step" {
                    optimizerSteps[name] = try decodeStep(entry, name: key, path: path)
                } else {
                    optimizerSlots[name, default: [:]][slot] = try decodeTensor(entry, name: key, path: path)
                }
            } else if key.hasPrefix(emaPrefix) {
                averages[String(key.dropFirst(emaPrefix.count))] = try decodeTensor(entry, name: key, path: path)
            } else {
                parameters[key] = try decodeTensor(entry, name: key, path: path)
            }
        }

        var optimizer: OptimizerSnapshot?
        if let optimizerDescription {
            var state = OptimizerState()
            for name in Set(optimizerSteps.keys).union(optimizerSlots.keys).sorted() {
                guard let step = optimizerSteps[name] else {
                    throw FileFormatError(.malformed, path: path, "missing tensor 'optimizer.\(name).step'")
                }
                let slots = optimizerSlots[name] ?? [:]
                guard !slots.isEmpty else {
                    throw FileFormatError(
                        .malformed, path: path, "optimizer state for '\(name)' has a step but no tensors")
                }
                state.parameters[name] = OptimizerParameterState(step: step, slots: slots)
            }
            optimizer = OptimizerSnapshot(
                algorithm: optimizerDescription.algorithm,
                hyperParameters: optimizerDescription.hyper_parameters, state: state)
        } else if !optimizerSteps.isEmpty || !optimizerSlots.isEmpty {
            throw FileFormatError(.malformed, path: path, "optimizer tensors without the 'optimizer' metadata entry")
        }

        var ema: EMASnapshot?
        if let emaDescription {
            ema = EMASnapshot(decay: emaDescription.decay, warmup: emaDescription.warmup, averages: averages)
        } else if !averages.isEmpty {
            throw FileFormatError(.malformed, path: path, "EMA tensors without the 'ema' metadata entry")
        }

        var generators: [String: SeededGenerator] = [:]
        for (key, text) in metadata where key.hasPrefix(generatorPrefix) {
            let words = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
            guard !words.contains(nil), let generator = SeededGenerator(stateWords: words.map { $0! }) else {
                throw FileFormatError(.malformed, path: path, "metadata '\(key)' is not a saved random generator state")
            }
            generators[String(key.dropFirst(generatorPrefix.count))] = generator
        }

        var checkpoint = TrainingCheckpoint(
            step: step, parameters: parameters, optimizer: optimizer, ema: ema,
            schedule: schedule, generators: generators, userInfo: userInfo)
        checkpoint.source = path
        return checkpoint
    }
}
