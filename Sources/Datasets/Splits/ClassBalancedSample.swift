import TensorCore

/// A sample of rows in which every class has as equal a share as the classes' sizes allow.
///
/// Caches keep their source's order (Oxford's photos come class by class, class folders too), so
/// the first rows of a cache are a few classes only; statistics and fits that look at a sample
/// must take it across the classes.
public enum ClassBalancedSample {
    /// Up to `limit` of the rows, the classes taking turns (each class's rows in an order drawn
    /// from `seed`) until the limit or every row is reached.
    public static func rows(_ rows: [(row: Int, label: Int)], limit: Int, seed: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: seed ^ RandomStream.classBalancedSample.salt)
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

    /// Up to `limit` rows of the cache's `subsets`, balanced over their classes.
    public static func rows(of cache: DatasetCache, subsets: Set<DatasetSubset>, limit: Int, seed: UInt64) -> [Int] {
        rows(cache.rows(in: subsets).map { ($0, cache.labels[$0]) }, limit: limit, seed: seed)
    }
}
