import TensorCore

/// One training batch of pairs, in the network's standardised space.
public struct ReflowPairBatch: @unchecked Sendable {
    public var noise: Tensor
    public var endpoints: Tensor
    public var classes: [Int]
    public var count: Int { classes.count }
}

/// Batches of pairs: every epoch visits all pairs once in a permutation drawn from (seed, epoch),
/// the last partial batch left out, so step k's batch is a pure function of k (exact resume).
public final class ReflowPairBatches {
    public let pairs: ReflowPairs
    public let batchSize: Int
    public let seed: UInt64
    /// The teacher's statistics: endpoints are standardised with them, as the teacher's data was.
    public let statistics: ChannelStatistics
    private let standardizedEndpoints: Tensor
    private var cachedEpoch: (epoch: Int, order: [Int])?

    public init(pairs: ReflowPairs, statistics: ChannelStatistics, batchSize: Int, seed: UInt64) throws {
        guard batchSize >= 1, pairs.count >= batchSize else {
            throw FlowTrainingError("\(pairs.count) reflow pairs are fewer than one batch of \(batchSize)")
        }
        guard statistics.channels == pairs.sampleShape[0] else {
            throw FlowTrainingError(
                "statistics for \(statistics.channels) channels, the pairs have \(pairs.sampleShape[0])")
        }
        self.pairs = pairs
        self.batchSize = batchSize
        self.seed = seed
        self.statistics = statistics
        standardizedEndpoints = statistics.standardize(pairs.endpoints)
    }

    public var sampleShape: [Int] { pairs.sampleShape }
    public var batchesPerEpoch: Int { pairs.count / batchSize }

    public func batch(forStep step: Int) -> ReflowPairBatch {
        precondition(step >= 0, "ReflowPairBatches: negative step \(step)")
        let epoch = step / batchesPerEpoch, index = step % batchesPerEpoch
        if cachedEpoch?.epoch != epoch {
            var generator = SeededGenerator(
                seed: SeedMixing.combine(seed, RandomStream.reflowPairEpochOrder.salt, UInt64(epoch)))
            cachedEpoch = (epoch, generator.permutation(pairs.count))
        }
        let rows = Array(cachedEpoch!.order[(index * batchSize)..<((index + 1) * batchSize)])
        return ReflowPairBatch(
            noise: pairs.noise.gatheringRows(rows), endpoints: standardizedEndpoints.gatheringRows(rows),
            classes: rows.map { pairs.classes[$0] })
    }
}
