import DataParallel
import Foundation
import LatentFlow
import TensorCore

/// A trainer that a rank other than 0 can bring level with rank 0 (its checkpoint, then a check
/// that every rank holds the same state) and train beside it.
protocol RankFollowingTrainer: Trainer {
    func resume(from url: URL) throws
    func join(_ group: DataParallelGroup) throws
}

extension FlowTrainer: RankFollowingTrainer {}
extension FewStepTrainer: RankFollowingTrainer {}

/// The training session of a follower rank (`TrainFlowFollower`, `DistillFlowFollower`): the
/// same checkpoint and budget as rank 0, whose clock and signals end the session for all.
enum FollowerSession {
    static func train<T: RankFollowingTrainer>(
        _ trainer: T, resumingFrom checkpoint: URL?, group: DataParallelGroup, steps: Int?, minutes: Double?,
        shouldStop: @escaping () -> Bool
    ) throws -> TrainingEnd {
        if let checkpoint { try trainer.resume(from: checkpoint) }
        try trainer.join(group)
        let budget = TrainingBudget(steps: steps, seconds: minutes.map { $0 * 60 })
        return try TrainingLoop(trainer: trainer, budget: budget).run(shouldStop: shouldStop)
    }
}
