/// `nn.LayerNorm(dimension, eps)` over the last dimension: `weight` (ones) and `bias` (zeros), [D] each.
public final class LayerNorm: Module {
    public let dimension: Int
    public let epsilon: Float
    public let weight: Variable
    public let bias: Variable

    public init(_ dimension: Int, epsilon: Float = 1e-5) {
        precondition(dimension > 0, "LayerNorm: dimension must be positive, got \(dimension)")
        self.dimension = dimension
        self.epsilon = epsilon
        weight = Variable(parameter: Tensor(shape: [dimension], repeating: 1))
        bias = Variable(parameter: Tensor(zeros: [dimension]))
        super.init()
        registerParameter(weight, as: "weight")
        registerParameter(bias, as: "bias")
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        layerNorm(x, weight: weight, bias: bias, epsilon: epsilon)
    }
}
