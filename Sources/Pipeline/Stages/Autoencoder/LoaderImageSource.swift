import Datasets
import TensorCore
import VQVAE

/// The autoencoder trainer's batches from the dataset cache's `TrainingLoader` (prefetched on its
/// thread), with the loader position the stage's checkpoint records.
final class LoaderImageSource: AutoencoderBatchSource {
    let loader: TrainingLoader
    /// The position of the next batch.
    private(set) var position: LoaderPosition
    /// The epoch of the batch last handed out (for the metrics).
    private(set) var lastEpoch = 0

    init(loader: TrainingLoader, start: LoaderPosition) {
        self.loader = loader
        position = start
    }

    func nextBatch() throws -> Tensor {
        let batch = try loader.next()
        lastEpoch = batch.position.epoch
        position = batch.next
        return batch.images
    }

    /// Made on this thread from the position of the next batch: the same batches the loader gives.
    func upcomingBatches(_ count: Int) throws -> [Tensor] {
        var batches: [Tensor] = []
        var next = position
        for _ in 0..<count {
            let batch = try loader.batch(at: next)
            batches.append(batch.images)
            next = batch.next
        }
        return batches
    }
}
