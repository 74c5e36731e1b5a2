import Foundation
import LatentFlow
import TensorCore

/// Noise N(0, 1) to data N(μ, s²), independently per element, along a `FlowPath`. The marginal
/// velocity is known in closed form, and so is the flow's endpoint: x₁ = μ + s·x₀.
///
/// With x_t = σ(t)·x₀ + α(t)·x₁, x_t is Gaussian with mean m = α·μ and variance
/// V = σ² + α²·s², and the flow moves each point along x = m + √V·z, so
/// v(x, t) = m′ + (V′ / 2V)·(x − m).
struct GaussianToyProblem {
    let mean: [Float]
    let scale: [Float]
    let shape: [Int]
    let path: FlowPath

    init(shape: [Int], path: FlowPath = .cosine, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        self.shape = shape
        self.path = path
        mean = (0..<count).map { _ in generator.uniform(-0.5, 0.5) }
        // Scales away from 1, both ways, make the velocity change along the way (curved paths).
        scale = (0..<count).map { i in i % 2 == 0 ? generator.uniform(0.3, 0.5) : generator.uniform(1.5, 2) }
    }

    func noise(seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Initialization.normal(shape: shape, generator: &generator)
    }

    func velocity(_ x: Tensor, _ t: Float) -> Tensor {
        let k = path.coefficients(at: t)
        let a = Double(k.alpha), s = Double(k.sigma), da = Double(k.alphaRate), ds = Double(k.sigmaRate)
        let out = Tensor(uninitializedShape: x.shape)
        let p = x.unsafePointer, q = out.unsafePointer
        for i in 0..<x.count {
            let s2 = Double(scale[i] * scale[i]), mu = Double(mean[i])
            let variance = s * s + a * a * s2
            let rate = s * ds + a * da * s2  // V′ / 2
            q[i] = Float(da * mu + rate / variance * (Double(p[i]) - a * mu))
        }
        return out
    }

    func exactEndpoint(_ noise: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: noise.shape)
        for i in 0..<noise.count { out.unsafePointer[i] = mean[i] + scale[i] * noise.unsafePointer[i] }
        return out
    }

    /// The largest endpoint error, and the largest error relative to atol + rtol·|exact|.
    func error(of settings: SamplerSettings, noise: Tensor) throws -> (
        error: Double, relative: Double, result: IntegrationResult
    ) {
        let result = try ODEIntegrator.integrate(noise, settings: settings) { x, t in velocity(x, t) }
        let exact = exactEndpoint(noise)
        var relative = 0.0
        for i in 0..<exact.count {
            let e = Double(abs(result.state.unsafePointer[i] - exact.unsafePointer[i]))
            relative = max(
                relative,
                e / (settings.absoluteTolerance + settings.relativeTolerance * Double(abs(exact.unsafePointer[i]))))
        }
        return (Double(result.state.maxAbsoluteDifference(exact)), relative, result)
    }
}
