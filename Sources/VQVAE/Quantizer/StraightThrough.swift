import TensorCore

/// The straight-through estimator `z + sg(q − z)`: the value is `quantized`, the gradient passes
/// to `latents` unchanged, as if quantization were the identity (Bengio et al. 2013).
public func straightThrough(_ latents: Variable, quantized: Tensor) -> Variable {
    precondition(
        latents.shape == quantized.shape,
        "straightThrough: latents \(latents.shape) and quantized \(quantized.shape) differ")
    return Variable.result(quantized, operation: "straight-through", inputs: [latents]) { g in [g] }
}
