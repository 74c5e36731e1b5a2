import TensorCore

/// A deterministic partition of item indices `0..<count` into train, validation and test sets.
public struct DatasetSplit: Equatable, Sendable {
    /// Indices in each part, ascending.
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]

    public init(train: [Int], validation: [Int], test: [Int]) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Splits `count` items: `validation` and `test` are fractions of the whole, train gets the rest.
    /// The same seed always gives the same split.
    ///
    /// With `labels` (one per item) the split is stratified: every class is split separately
    /// with the same fractions (each class contributes round(classSize × fraction) items), so
    /// every part keeps the class proportions of the whole.
    /// - Throws: `DatasetError.invalidArgument` for fractions outside [0, 1] or adding up to more
    ///   than 1, a negative count, or a label list of the wrong length.
    public static func make(
        count: Int, validation: Double, test: Double = 0, seed: UInt64,
        labels: [Int]? = nil
    ) throws -> DatasetSplit {
        guard count >= 0 else { throw DatasetError(.invalidArgument, "item count must not be negative, got \(count)") }
        guard (0...1).contains(validation), (0...1).contains(test), validation + test <= 1 + 1e-12 else {
            throw DatasetError(
                .invalidArgument,
                "split fractions must be in [0, 1] and add up to at most 1; got validation \(validation), test \(test)")
        }
        var rng = SeededGenerator(seed: seed)
        var split = DatasetSplit(train: [], validation: [], test: [])
        if let labels {
            guard labels.count == count else {
                throw DatasetError(.invalidArgument, "\(labels.count) labels given for \(count) items")
            }
            var members: [Int: [Int]] = [:]
            for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
            // Classes in label order, so the generator is consumed the same way every time.
            for label in members.keys.sorted() {
                split.append(partition(members[label]!, validation: validation, test: test, rng: &rng))
            }
        } else {
            split.append(partition(Array(0..<count), validation: validation, test: test, rng: &rng))
        }
        split.train.sort()
        split.validation.sort()
        split.test.sort()
        return split
    }

    /// Shuffles `items` and cuts the shuffled list into test, validation and train.
    private static func partition(
        _ items: [Int], validation: Double, test: Double,
        rng: inout SeededGenerator
    ) -> DatasetSplit {
        let n = items.count
        let order = rng.permutation(n).map { items[$0] }
        let testCount = min(n, Int((Double(n) * test).rounded()))
        let validationCount = min(n - testCount, Int((Double(n) * validation).rounded()))
        return DatasetSplit(
            train: Array(order[(testCount + validationCount)...]),
            validation: Array(order[testCount..<(testCount + validationCount)]),
            test: Array(order[..<testCount]))
    }

    private mutating func append(_ other: DatasetSplit) {
        train += other.train
        validation += other.validation
        test += other.test
    }
}
