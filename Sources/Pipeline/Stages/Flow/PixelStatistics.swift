import Datasets
import LatentFlow
import TensorCore

/// The per-channel statistics the pixel baseline standardises its images with, measured on a
/// class-balanced sample of its training images (centre crops).
///
/// A sample, because reading every image of a large cache to measure three means and deviations
/// costs more than it changes; class-balanced, because a cache's file order follows its source
/// (Oxford's photos come class by class, a class-folder source too), so its first rows would be
/// the colours of a few classes only.
public enum PixelStatistics {
    /// Images measured at most.
    public static let sampleLimit = 1024

    /// The statistics of `balancedRows` of the cache's `subsets`.
    public static func measure(_ cache: DatasetCache, subsets: Set<DatasetSubset>, limit: Int = sampleLimit,
                               seed: UInt64) throws -> ChannelStatistics {
        let rows = balancedRows(cache.rows(in: subsets).map { ($0, cache.labels[$0]) }, limit: limit, seed: seed)
        // Read in row order: neighbouring rows share the cache's chunks.
        let reader = try SequentialReader(cache: cache, rows: rows.sorted(), batchSize: 64)
        var accumulator = ChannelStatisticsAccumulator(channels: 3)
        try reader.forEach { accumulator.add($0.images) }
        return accumulator.statistics
    }

    /// Up to `limit` of the rows, the classes taking turns (each class's rows in an order drawn
    /// from `seed`) until the limit or every row is reached: as equal a share per class as the
    /// classes' sizes allow.
    public static func balancedRows(_ rows: [(row: Int, label: Int)], limit: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed ^ 0x5049_5845_4C53_5441)
        let byClass = Dictionary(grouping: rows, by: \.label)
        let queues = byClass.keys.sorted().map { label -> [Int] in
            let members = byClass[label]!.map(\.row)
            return generator.permutation(members.count).map { members[$0] }
        }
        var chosen: [Int] = []
        var turn = 0
        while chosen.count < min(limit, rows.count) {
            for queue in queues where turn < queue.count && chosen.count < limit { chosen.append(queue[turn]) }
            turn += 1
        }
        return chosen
    }
}
