import FileFormats
import Foundation
import TensorCore

/// The autoencoder trainer's fields of its checkpoint's `user` document (its caller's sit beside
/// them, see `TrainerCheckpointInfo`).
public struct AutoencoderCheckpointFields: Codable, Equatable, Sendable {
    /// The horizon of the learning-rate schedule (0: not known yet).
    public var horizon: Int
    /// Training seconds so far, over all sessions.
    public var trainingSeconds: Double
    /// Discriminator steps taken (nil without the adversarial term).
    public var discriminatorSteps: Int?
}

extension AutoencoderTrainer {
    /// Writes the full training state atomically, with the caller's fields (what a resume must
    /// agree on, where the data stands) in its `user` document.
    public func saveCheckpoint<Caller: Codable>(to url: URL, caller: Caller) throws {
        let fields = AutoencoderCheckpointFields(
            horizon: horizon, trainingSeconds: trainingSeconds,
            discriminatorSteps: adversarial?.steps)
        let userInfo = try TrainerCheckpointInfo(trainer: fields, caller: caller).json()
        var checkpoint = TrainingCheckpoint(
            step: step, parameters: model.namedParameters(), optimizer: optimizer, ema: ema,
            schedule: schedule, generators: [Self.generatorName: generator], userInfo: userInfo)
        for (name, value) in model.quantizer.buffers() { checkpoint.parameters[name] = value }
        adversarial?.save(into: &checkpoint.parameters)
        try checkpoint.save(to: url)
    }

    /// The step of a checkpoint file, for messages (nil if it cannot be read).
    public static func checkpointStep(_ url: URL) -> Int? {
        TrainingCheckpoint.step(at: url)
    }

    /// The caller's fields of the checkpoint at `url`, without restoring anything (to check them).
    public static func callerFields<Caller: Codable>(of url: URL, as type: Caller.Type) throws -> Caller {
        try info(of: TrainingCheckpoint.load(from: url), path: url.path, caller: type).caller
    }

    /// Restores everything from a checkpoint written by `saveCheckpoint`; returns the caller's
    /// fields. `accept` sees them first and throws to refuse the checkpoint (other options, another
    /// image size) before anything changes.
    @discardableResult
    public func restore<Caller: Codable>(
        from url: URL, caller type: Caller.Type,
        accept: (Caller) throws -> Void = { _ in }
    ) throws -> Caller {
        var checkpoint = try TrainingCheckpoint.load(from: url)
        let info = try Self.info(of: checkpoint, path: url.path, caller: type)
        try accept(info.caller)
        if let adversarial {
            try adversarial.restore(
                from: &checkpoint.parameters, steps: info.trainer.discriminatorSteps ?? 0, source: url.path)
        }
        let bufferNames = Set(model.quantizer.bufferNames())
        let buffers = checkpoint.parameters.filter { bufferNames.contains($0.key) }
        checkpoint.parameters = checkpoint.parameters.filter { !bufferNames.contains($0.key) }
        try checkpoint.restore(parameters: model.namedParameters(), optimizer: optimizer, ema: ema)
        try model.quantizer.loadBuffers(buffers, source: url.path)
        generator = try checkpoint.generator(Self.generatorName)
        step = checkpoint.step
        trainingSeconds = info.trainer.trainingSeconds
        if info.trainer.horizon > 0 { setHorizon(info.trainer.horizon) }
        return info.caller
    }

    static func info<Caller: Codable>(
        of checkpoint: TrainingCheckpoint, path: String,
        caller: Caller.Type
    ) throws -> TrainerCheckpointInfo<AutoencoderCheckpointFields, Caller> {
        do {
            return try JSONDecoder().decode(
                TrainerCheckpointInfo<AutoencoderCheckpointFields, Caller>.self,
                from: Data(checkpoint.userInfo.utf8))
        } catch {
            throw FileFormatError(
                .malformed, path: path, "not a train-ae checkpoint (its user information does not decode: \(error))")
        }
    }
}
