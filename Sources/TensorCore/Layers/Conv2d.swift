/// `nn.Conv2d` with square kernels: weight [Cout, Cin, k, k], bias [Cout], PyTorch's default
/// initialisation U(±1/√fan_in) with fan_in = Cin·k·k (weight drawn first, then bias).
public final class Conv2d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int
    public let padding: Int

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias hasBias: Bool = true, generator: inout SeededGenerator
    ) {
        requireShape(
            inChannels > 0 && outChannels > 0 && kernelSize > 0,
            "Conv2d: channels and kernel size must be positive, got \(inChannels)→\(outChannels), k=\(kernelSize)")
        let fanIn = inChannels * kernelSize * kernelSize
        weight = Variable(
            parameter: Initialization.pytorchDefaultUniform(
                shape: [outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, generator: &generator))
        bias =
            hasBias
            ? Variable(
                parameter: Initialization.pytorchDefaultUniform(
                    shape: [outChannels], fanIn: fanIn, generator: &generator)) : nil
        self.stride = stride
        self.padding = padding
        super.init()
        registerParameter(weight, as: "weight")
        if let bias { registerParameter(bias, as: "bias") }
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// conv(x) + residual, summed as the convolution writes its output (see `conv2d`).
    public func callAsFunction(_ x: Variable, adding residual: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, residual: residual)
    }
}
