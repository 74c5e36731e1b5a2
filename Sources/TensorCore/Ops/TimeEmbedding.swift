import Foundation

/// Sinusoidal embedding of diffusion / flow times, as the benchmark reference computes it:
/// half = dimension / 2, fᵢ = exp(−ln(maxPeriod) · i / half), a = t · timeScale · f, and the
/// result [sin(a) | cos(a)] of shape [t.count, dimension] (sines first). A constant input to the
/// network: no gradient flows to t.
public func sinusoidalTimeEmbedding(
    _ t: [Float], dimension: Int, timeScale: Float = 1000,
    maxPeriod: Float = 10_000
) -> Tensor {
    precondition(
        dimension >= 2 && dimension % 2 == 0,
        "sinusoidalTimeEmbedding: dimension must be even and at least 2, got \(dimension)")
    let half = dimension / 2
    // Float arithmetic in PyTorch's order, so the angles round the same way.
    let logPeriod = Float(Foundation.log(Double(maxPeriod)))
    let frequencies = (0..<half).map { Foundation.exp(-logPeriod * Float($0) / Float(half)) }
    let out = Tensor(uninitializedShape: [t.count, dimension])
    let p = out.unsafePointer
    for (row, time) in t.enumerated() {
        let scaled = time * timeScale
        for i in 0..<half {
            let angle = scaled * frequencies[i]
            p[row * dimension + i] = Foundation.sin(angle)
            p[row * dimension + half + i] = Foundation.cos(angle)
        }
    }
    return out
}
