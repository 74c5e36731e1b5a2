import Foundation
import LatentFlow
import TensorCore

/// The trainers of this module that the tests drive: each saves its checkpoints to a file.
protocol CheckpointedTrainer: Trainer {
    func saveCheckpoint(to url: URL) throws
}

extension FlowTrainer: CheckpointedTrainer {}
extension FewStepTrainer: CheckpointedTrainer {}

extension CheckpointedTrainer {
    /// The shared `TrainingLoop` around this trainer, as the training stages run it, with the
    /// checkpoint saved to `checkpoint.url` every `checkpoint.every` steps and at the end.
    @discardableResult
    func run(
        budget: TrainingBudget, checkpoint: (url: URL, every: Int)? = nil, shouldStop: () -> Bool = { false },
        onStep: (StepReport) throws -> Void = { _ in }
    ) throws -> TrainingEnd {
        let loop = TrainingLoop(
            trainer: self, budget: budget,
            checkpoints: checkpoint.map { checkpoint in
                CheckpointCadence(every: checkpoint.every) { [unowned self] _ in
                    try self.saveCheckpoint(to: checkpoint.url)
                }
            })
        return try loop.run(shouldStop: shouldStop, onStep: onStep)
    }
}
