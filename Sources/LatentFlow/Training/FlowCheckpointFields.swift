/// The flow trainer's fields of a checkpoint's `user` document (`TrainerCheckpointInfo`): what
/// must agree for a resume to continue the same run, and the schedule length once it is known.
struct FlowCheckpointFields: Codable, Equatable {
    var kind = "flow-matching"
    var unet: UNetConfig
    var config: FlowTrainingConfig
    var statistics: ChannelStatistics
    var scheduleSteps: Int?
    /// The caller's notes (data space, source file hashes…), carried through.
    var notes: [String: String]
    /// `FlowTrainer.trainingSeconds` when saved (absent in older checkpoints), so a resumed run
    /// continues the count.
    var trainingSeconds: Double?
}
