import TensorCore

/// A sample of rows whose class mix matches another set's.
///
/// Two sets of real images compared with a distribution metric differ by their class mix as much
/// as by anything else: stand-ins for a class-balanced reference must be class-balanced the same
/// way, or the comparison measures the mix, not the images.
extension ClassBalancedSample {
    /// A class that had fewer rows than its share of the sample.
    public struct Shortfall: Equatable, Sendable {
        public var label: Int
        public var wanted: Int
        public var available: Int

        public init(label: Int, wanted: Int, available: Int) {
            self.label = label
            self.wanted = wanted
            self.available = available
        }
    }

    public struct Matched: Equatable, Sendable {
        /// The chosen rows, ascending.
        public var rows: [Int]
        /// Rows chosen per class.
        public var counts: [Int: Int]
        /// Classes that could not give their share; the other classes made up the difference
        /// (in proportion to their weight), so the sample still has `count` rows.
        public var shortfalls: [Shortfall]
    }

    /// `count` of `rows`, each class of `histogram` taking the share of `count` its weight gives
    /// it (largest remainders rounded up), drawn at random with `seed`. Rows of classes absent
    /// from `histogram` are never chosen. Nil when those classes hold fewer than `count` rows.
    public static func rows(
        _ rows: [(row: Int, label: Int)], matching histogram: [Int: Int], count: Int, seed: UInt64
    ) -> Matched? {
        let byClass = Dictionary(grouping: rows.filter { histogram[$0.label, default: 0] > 0 }, by: \.label)
        let available = byClass.mapValues(\.count)
        guard count >= 0, available.values.reduce(0, +) >= count else { return nil }
        let wanted = shares(of: count, weights: histogram.filter { $0.value > 0 })
        var counts: [Int: Int] = [:]
        var shortfalls: [Shortfall] = []
        for (label, share) in wanted {
            let have = available[label, default: 0]
            counts[label] = min(share, have)
            if have < share { shortfalls.append(Shortfall(label: label, wanted: share, available: have)) }
        }
        // What the short classes could not give is shared out again among the others, in
        // proportion to their weight, until it is placed (there are enough rows in all).
        var missing = count - counts.values.reduce(0, +)
        while missing > 0 {
            let open = histogram.filter { $0.value > 0 && counts[$0.key, default: 0] < available[$0.key, default: 0] }
            for (label, extra) in shares(of: missing, weights: open) {
                let added = min(extra, available[label, default: 0] - counts[label, default: 0])
                counts[label, default: 0] += added
                missing -= added
            }
        }
        var generator = SeededGenerator(seed: seed ^ RandomStream.classBalancedSample.salt)
        var chosen: [Int] = []
        for label in byClass.keys.sorted() {
            let members = byClass[label]!.map(\.row)
            let order = generator.permutation(members.count)
            chosen += order.prefix(counts[label, default: 0]).map { members[$0] }
        }
        return Matched(
            rows: chosen.sorted(), counts: counts.filter { $0.value > 0 },
            shortfalls: shortfalls.sorted { $0.label < $1.label })
    }

    /// `total` split in proportion to `weights` (all positive): each key gets the floor of its
    /// share, and the largest remainders (ties: the smaller key) one more.
    static func shares(of total: Int, weights: [Int: Int]) -> [Int: Int] {
        let sum = weights.values.reduce(0, +)
        guard sum > 0, total > 0 else { return weights.mapValues { _ in 0 } }
        var result = weights.mapValues { $0 * total / sum }
        let remainders = weights.map { (key: $0.key, remainder: $0.value * total % sum) }
            .sorted { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.key < $1.key }
        for entry in remainders.prefix(total - result.values.reduce(0, +)) { result[entry.key]! += 1 }
        return result
    }
}
