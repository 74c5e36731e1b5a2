import FileFormats
import Foundation

/// What every trainer's checkpoint stores besides its tensors: one JSON object (the checkpoint's
/// `user` document) holding the trainer's own fields and its caller's side by side.
///
/// The trainer knows what its steps depend on (network, settings, schedule, training seconds);
/// its caller knows the rest (a data loader's position, the options a resume must agree on). Both
/// parts are written into, and read from, the same flat object, so a checkpoint reads as one
/// document and the files written before the parts were separated read the same.
public struct TrainerCheckpointInfo<TrainerFields: Codable, CallerFields: Codable>: Codable {
    public var trainer: TrainerFields
    public var caller: CallerFields

    public init(trainer: TrainerFields, caller: CallerFields) {
        self.trainer = trainer
        self.caller = caller
    }

    public init(from decoder: Decoder) throws {
        trainer = try TrainerFields(from: decoder)
        caller = try CallerFields(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try trainer.encode(to: encoder)
        try caller.encode(to: encoder)
    }

    /// The `user` document: JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads the `user` document of the checkpoint at `path` (named in the error).
    public static func read(_ checkpoint: TrainingCheckpoint, path: String) throws -> TrainerCheckpointInfo {
        try JSONFile.decode(
            TrainerCheckpointInfo.self, from: Data(checkpoint.userInfo.utf8), path: "\(path) (metadata 'user')")
    }
}

/// The caller's part of a `TrainerCheckpointInfo` when it stores nothing of its own.
public struct NoCheckpointFields: Codable, Equatable, Sendable {
    public init() {}
    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws {}
}
