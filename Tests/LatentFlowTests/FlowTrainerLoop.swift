import Foundation
import LatentFlow
import TensorCore

extension FlowTrainer {
    /// The shared `TrainingLoop` around this trainer, as the train-flow stage runs it, with the
    /// checkpoint saved to `checkpoint.url` every `checkpoint.every` steps and at the end.
    @discardableResult
    func run(budget: TrainingBudget, checkpoint: (url: URL, every: Int)? = nil, shouldStop: () -> Bool = { false },
             onStep: (FlowStepReport) throws -> Void = { _ in }) throws -> TrainingEnd {
        let loop = TrainingLoop(trainer: self, budget: budget, checkpoints: checkpoint.map { checkpoint in
            CheckpointCadence(every: checkpoint.every) { [unowned self] _ in try self.saveCheckpoint(to: checkpoint.url) }
        })
        return try loop.run(shouldStop: shouldStop, onStep: onStep)
    }
}
