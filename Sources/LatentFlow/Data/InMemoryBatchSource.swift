import TensorCore

/// Batches drawn from samples held in memory (a latent cache is tens of megabytes).
///
/// Every epoch visits all samples once in a permutation drawn from (seed, epoch); the last
/// partial batch of an epoch is left out so every batch is full. When a sample has several
/// variants (frozen augmentations of one image, encoded ahead), each visit picks one of them at
/// random from (seed, epoch, sample). Step k is batch k mod B of epoch k div B, so any step's
/// batch can be made without making the ones before it.
public final class InMemoryBatchSource: FlowBatchSource {
    /// [N, V, C, H, W]: N samples with V variants each.
    public let samples: Tensor
    public let labels: [Int]
    public let batchSize: Int
    public let seed: UInt64
    public let sampleShape: [Int]
    public var sampleCount: Int { labels.count }
    public var variantCount: Int { samples.shape[1] }
    public var batchesPerEpoch: Int { sampleCount / batchSize }

    private var cachedEpoch: (epoch: Int, order: [Int])?

    /// - Parameters:
    ///   - samples: [N, C, H, W], or [N, V, C, H, W] with V variants per sample.
    ///   - labels: N class ids.
    /// - Throws: `FlowTrainingError` when the shapes disagree or there is not one full batch.
    public init(samples: Tensor, labels: [Int], batchSize: Int, seed: UInt64) throws {
        guard samples.rank == 4 || samples.rank == 5 else {
            throw FlowTrainingError("samples must be [N, C, H, W] or [N, V, C, H, W], got \(samples.shape)")
        }
        let variants =
            samples.rank == 5 ? samples : samples.reshaped([samples.shape[0], 1] + samples.shape.dropFirst())
        guard variants.shape[0] == labels.count else {
            throw FlowTrainingError("\(variants.shape[0]) samples but \(labels.count) labels")
        }
        guard variants.shape[1] >= 1 else { throw FlowTrainingError("samples have no variants: \(samples.shape)") }
        guard batchSize >= 1, labels.count >= batchSize else {
            throw FlowTrainingError("\(labels.count) samples are fewer than one batch of \(batchSize)")
        }
        self.samples = variants
        self.labels = labels
        self.batchSize = batchSize
        self.seed = seed
        self.sampleShape = Array(variants.shape.dropFirst(2))
    }

    /// The visiting order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        if let cachedEpoch, cachedEpoch.epoch == epoch { return cachedEpoch.order }
        var generator = SeededGenerator(
            seed: SeedMixing.combine(seed, RandomStream.latentEpochOrder.salt, UInt64(epoch)))
        let order = generator.permutation(sampleCount)
        cachedEpoch = (epoch, order)
        return order
    }

    public func batch(forStep step: Int) throws -> FlowBatch {
        guard step >= 0 else { throw FlowTrainingError("negative step \(step)") }
        let epoch = step / batchesPerEpoch, index = step % batchesPerEpoch
        let rows = Array(order(epoch: epoch)[(index * batchSize)..<((index + 1) * batchSize)])
        let v = variantCount
        let per = sampleShape.reduce(1, *)
        let data = Tensor(uninitializedShape: [batchSize] + sampleShape)
        let src = samples.unsafePointer, dst = data.unsafePointer
        for (k, row) in rows.enumerated() {
            var variant = 0
            if v > 1 {
                var generator = SeededGenerator(
                    seed: SeedMixing.combine(seed, RandomStream.latentVariantChoice.salt, UInt64(epoch), UInt64(row)))
                variant = generator.integer(below: v)
            }
            (dst + k * per).update(from: src + (row * v + variant) * per, count: per)
        }
        return FlowBatch(data: data, labels: rows.map { labels[$0] })
    }
}
