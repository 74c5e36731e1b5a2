import Datasets
import LatentFlow
import TensorCore

/// The per-channel statistics the pixel baseline standardises its images with, measured on a
/// class-balanced sample of its training images (centre crops).
///
/// A sample, because reading every image of a large cache to measure three means and deviations
/// costs more than it changes; class-balanced, because a cache's first rows would be the colours
/// of a few classes only (see `ClassBalancedSample`).
public enum PixelStatistics {
    /// Images measured at most.
    public static let sampleLimit = 1024

    /// The statistics of a class-balanced sample (`ClassBalancedSample`) of the cache's `subsets`.
    public static func measure(
        _ cache: DatasetCache, subsets: Set<DatasetSubset>, limit: Int = sampleLimit,
        seed: UInt64
    ) throws -> ChannelStatistics {
        let rows = ClassBalancedSample.rows(of: cache, subsets: subsets, limit: limit, seed: seed)
        // Read in row order: neighbouring rows share the cache's chunks.
        let reader = try SequentialReader(cache: cache, rows: rows.sorted(), batchSize: 64)
        var accumulator = ChannelStatisticsAccumulator(channels: 3)
        try reader.forEach { accumulator.add($0.images) }
        return accumulator.statistics
    }
}
