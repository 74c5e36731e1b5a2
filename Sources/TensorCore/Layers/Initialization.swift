/// PyTorch's default initialisation, so networks start from the same distribution as the reference.
public enum Initialization {
    /// `kaiming_uniform_(a=√5)` as PyTorch applies it to conv and linear weights, which works out
    /// to U(−1/√fan_in, 1/√fan_in); biases use the same bound.
    public static func pytorchDefaultUniform(shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return uniform(shape: shape, low: -bound, high: bound, generator: &generator)
    }

    public static func uniform(shape: [Int], low: Float, high: Float, generator: inout SeededGenerator) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.unsafePointer
        for i in 0..<t.count { p[i] = generator.uniform(low, high) }
        return t
    }

    public static func normal(shape: [Int], mean: Float = 0, std: Float = 1, generator: inout SeededGenerator) -> Tensor
    {
        let t = Tensor(uninitializedShape: shape)
        let p = t.unsafePointer
        for i in 0..<t.count { p[i] = mean + std * generator.normal() }
        return t
    }
}
