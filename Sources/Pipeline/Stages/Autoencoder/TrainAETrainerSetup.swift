import DataParallel
import Datasets
import Foundation
import VQVAE

/// The trainer of a `train-ae` run with its data, built the same way on every rank of a
/// data-parallel job: the network, the loader where the checkpoint's stands, the checkpoint or the
/// autoencoder whose decoder is fine-tuned, and the generated latents the discriminator judges.
struct TrainAETrainerSetup {
    let trainer: AutoencoderTrainer
    let loader: TrainingLoader
    let source: LoaderImageSource
}

extension TrainAEStage {
    /// Builds the run's trainer (the caller closes the loader); `write` gets what was loaded.
    static func makeTrainer(
        _ options: TrainAEOptions, cache: DatasetCache, checkpointURL: URL, fineTuneSource: URL?,
        write: (String) -> Void
    ) throws -> TrainAETrainerSetup {
        let modelConfig = options.modelConfig(imageSize: cache.size)
        // The loader starts where the checkpoint's stands (read and checked before anything is restored).
        let resumed = options.resume ? try resumableFields(checkpointURL, options: options, imageSize: cache.size) : nil
        let start = resumed?.position ?? LoaderPosition()
        let loader = try TrainingLoader(cache: cache, options: loaderOptions(options), start: start)
        do {
            let source = LoaderImageSource(loader: loader, start: start)
            let trainer = AutoencoderTrainer(config: options.trainingConfig, model: modelConfig, source: source)
            if options.resume {
                do {
                    try trainer.restore(from: checkpointURL, caller: TrainAECheckpointFields.self)
                } catch let error as AutoencoderTrainingError {
                    throw TrainAEError(error.message)
                }
                write("resuming from \(checkpointURL.path) at step \(trainer.step)\n")
            } else if let fineTuneSource {
                try loadFineTuneSource(fineTuneSource, into: trainer)
                write("fine-tuning the decoder of \(fineTuneSource.path): encoder and codebooks frozen\n")
            }
            if let url = options.generatedLatentsURL(), let generated = options.generatedLatents {
                let pool = try GeneratedLatentPool(url: url, latentShape: trainer.model.latentShape)
                trainer.generatedLatents = { step in
                    pool.batch(step: step, size: generated.perStep, seed: options.seed)
                }
                write(
                    "the discriminator also judges the decoder's pictures of \(pool.count) generated latents from \(url.path), "
                        + "\(generated.perStep) per step\n")
            }
            return TrainAETrainerSetup(trainer: trainer, loader: loader, source: source)
        } catch {
            loader.close()
            throw error
        }
    }

    /// The communication cost of a data-parallel session, for the manifest (empty alone): the
    /// keys train-flow writes.
    static func communicationTimings(_ trainer: AutoencoderTrainer) -> [String: Double] {
        guard let group = trainer.dataParallel, let statistics = trainer.communicationStatistics else { return [:] }
        return [
            "ranks": Double(group.size), "allreduce": statistics.allreduceSeconds,
            "allreduce_exposed": statistics.exposedSeconds,
        ]
    }
}
