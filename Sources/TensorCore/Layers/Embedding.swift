/// `nn.Embedding(count, dimension)`: a `weight` table [count, dimension] initialised N(0, 1), as PyTorch.
public final class Embedding: Module {
    public let count: Int
    public let dimension: Int
    public let weight: Variable

    public init(count: Int, dimension: Int, generator: inout SeededGenerator) {
        precondition(
            count > 0 && dimension > 0, "Embedding: count \(count) and dimension \(dimension) must be positive")
        self.count = count
        self.dimension = dimension
        weight = Variable(parameter: Initialization.normal(shape: [count, dimension], generator: &generator))
        super.init()
        registerParameter(weight, as: "weight")
    }

    /// The rows for `ids`, [ids.count, dimension].
    public func callAsFunction(_ ids: [Int]) -> Variable {
        embedding(ids, table: weight)
    }
}
