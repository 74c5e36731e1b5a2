import Datasets
import LatentFlow
import TensorCore

/// Training images from a dataset cache as flow batches (for `train-flow --space pixel`).
///
/// Step k is batch k mod B of epoch k div B of the `TrainingLoader`'s stream, which is a pure
/// function of its seed; batches are taken from the loader's prefetch queue when the loop asks
/// for them in order, and made directly otherwise.
final class LoaderBatchSource: FlowBatchSource {
    let loader: TrainingLoader
    let sampleShape: [Int]

    /// - Parameter startStep: the first step the trainer will ask for (where the loader starts prefetching).
    init(cache: DatasetCache, subsets: Set<DatasetSubset>, batchSize: Int, seed: UInt64, startStep: Int) throws {
        let probe = try TrainingLoader(
            cache: cache,
            options: Self.options(
                subsets: subsets, batchSize: batchSize, seed: seed,
                cache: cache, prefetch: 1))
        let perEpoch = probe.batchesPerEpoch
        probe.close()
        loader = try TrainingLoader(
            cache: cache,
            options: Self.options(
                subsets: subsets, batchSize: batchSize, seed: seed,
                cache: cache, prefetch: 2),
            start: LoaderPosition(epoch: startStep / perEpoch, batch: startStep % perEpoch))
        sampleShape = [3, cache.size, cache.size]
    }

    static func options(subsets: Set<DatasetSubset>, batchSize: Int, seed: UInt64, cache: DatasetCache, prefetch: Int)
        -> LoaderOptions
    {
        // Random crops need a stored margin; without one the crop is the centre and only flips vary.
        LoaderOptions(
            batchSize: batchSize, subsets: subsets, seed: seed,
            augmentation: cache.margin > 0 ? .standard : BatchAugmentation(crop: .center, horizontalFlip: true),
            prefetch: prefetch)
    }

    func batch(forStep step: Int) throws -> FlowBatch {
        let perEpoch = loader.batchesPerEpoch
        let position = LoaderPosition(epoch: step / perEpoch, batch: step % perEpoch)
        let batch = loader.position == position ? try loader.next() : try loader.batch(at: position)
        return FlowBatch(data: batch.images, labels: batch.labels)
    }

    deinit { loader.close() }
}
