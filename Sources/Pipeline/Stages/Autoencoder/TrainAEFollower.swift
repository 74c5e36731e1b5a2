import DataParallel
import Datasets
import Foundation
import TensorCore
import VQVAE

/// `train-ae` on ranks 1…N−1 of a data-parallel job (docs/distributed.md): the same data, network
/// and checkpoint (or fine-tuned autoencoder) as rank 0, the same steps on other rows of each
/// batch, and nothing written — no lock, checkpoint, metrics, grids, evaluation, model or
/// manifest (rank 0 does all of that), and nothing printed but errors.
enum TrainAEFollower {
    static func run(_ options: TrainAEOptions, group: DataParallelGroup, shouldStop: @escaping () -> Bool) throws
        -> TrainAEResult
    {
        let cache = try DatasetCache.open(options.datasetFolder())
        let stage = options.stageFolder()
        let checkpointURL = stage.appendingPathComponent(TrainAEStage.checkpointFile)
        let session = try TrainAEStage.makeTrainer(
            options, cache: cache, checkpointURL: checkpointURL, fineTuneSource: options.decoderFineTuneURL(),
            write: { _ in })
        defer { session.loader.close() }
        let trainer = session.trainer
        try trainer.join(group)
        if let steps = options.steps { trainer.setHorizon(steps) }
        let budget = TrainingBudget(steps: options.steps, seconds: options.minutes.map { $0 * 60 })
        let end: TrainingEnd
        do {
            end = try TrainingLoop(trainer: trainer, budget: budget).run(shouldStop: shouldStop)
        } catch let error as AutoencoderTrainingError {
            throw TrainAEError("train-ae (rank \(group.rank)): \(error.message)")
        }
        return TrainAEResult(
            stageFolder: stage, modelURL: stage.appendingPathComponent(TrainAEStage.modelFile), step: trainer.step,
            horizon: trainer.horizon, stopped: end == .stopped, evaluation: nil, imagesPerSecond: 0, lastRecord: nil)
    }
}
