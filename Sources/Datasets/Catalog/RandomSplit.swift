import TensorCore

/// How a source without its own split (an image folder, synthetic flowers) is divided: fractions
/// of every class go to validation and test, the rest to train, drawn from `seed`
/// (see `DatasetSplit.make`).
public struct RandomSplit: Equatable, Sendable {
    public var validation: Double
    public var test: Double
    public var seed: UInt64

    public init(validation: Double = 0.1, test: Double = 0.1, seed: UInt64 = 0) {
        self.validation = validation
        self.test = test
        self.seed = seed
    }

    /// The subset of each of `count` items (stratified by `labels` when given).
    func subsets(count: Int, labels: [Int]?) throws -> [DatasetSubset] {
        // The salt keeps the split's stream apart from other uses of the same seed.
        let split = try DatasetSplit.make(
            count: count, validation: validation, test: test,
            seed: seed ^ RandomStream.datasetSplit.salt, labels: labels)
        var subsets = [DatasetSubset](repeating: .train, count: count)
        for i in split.validation { subsets[i] = .validation }
        for i in split.test { subsets[i] = .test }
        return subsets
    }

    var parameters: [String: String] {
        ["validation_fraction": "\(validation)", "test_fraction": "\(test)", "split_seed": "\(seed)"]
    }
}
