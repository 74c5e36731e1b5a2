/// `nn.Linear`: weight [out, in], bias [out], PyTorch's default initialisation.
public final class Linear: Module {
    public let weight: Variable
    public let bias: Variable?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias hasBias: Bool = true, generator: inout SeededGenerator) {
        weight = Variable(
            parameter: Initialization.pytorchDefaultUniform(
                shape: [outFeatures, inFeatures], fanIn: inFeatures, generator: &generator))
        bias =
            hasBias
            ? Variable(
                parameter: Initialization.pytorchDefaultUniform(
                    shape: [outFeatures], fanIn: inFeatures, generator: &generator)) : nil
        super.init()
        registerParameter(weight, as: "weight")
        if let bias { registerParameter(bias, as: "bias") }
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        linear(x, weight: weight, bias: bias)
    }
}
