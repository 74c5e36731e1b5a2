import Foundation
import TensorCore

/// The coefficients of a probability path x_t = σ(t)·x₀ + α(t)·x₁ between noise x₀ (t = 0) and
/// data x₁ (t = 1), with their time derivatives, which give the velocity target
/// v = α′(t)·x₁ + σ′(t)·x₀.
public struct PathCoefficients: Equatable, Sendable {
    /// Weight of the data x₁.
    public var alpha: Float
    /// Weight of the noise x₀.
    public var sigma: Float
    public var alphaRate: Float
    public var sigmaRate: Float
}

/// How noise and data are interpolated during training.
///
/// - `linear` (rectified flow / conditional OT path): x_t = (1−t)·x₀ + t·x₁, target x₁ − x₀,
///   a constant along each straight line.
/// - `cosine`: x_t = cos(πt/2)·x₀ + sin(πt/2)·x₁, a variance-preserving path for unit-variance
///   data, target (π/2)·(cos(πt/2)·x₁ − sin(πt/2)·x₀).
///
/// Sampling does not care which path trained the model: both give an ODE dx/dt = v(x, t) from
/// t = 0 to t = 1.
public enum FlowPath: String, Codable, CaseIterable, Sendable {
    case linear
    case cosine

    public func coefficients(at t: Float) -> PathCoefficients {
        switch self {
        case .linear:
            return PathCoefficients(alpha: t, sigma: 1 - t, alphaRate: 1, sigmaRate: -1)
        case .cosine:
            let angle = Float.pi / 2 * t
            let s = Float(Foundation.sin(Double(angle))), c = Float(Foundation.cos(Double(angle)))
            return PathCoefficients(alpha: s, sigma: c, alphaRate: Float.pi / 2 * c, sigmaRate: -Float.pi / 2 * s)
        }
    }

    /// The training pair for a batch: x_t and the velocity target, sample `i` at time `times[i]`.
    /// `noise` and `data` are [N, …] with the same shape.
    public func interpolate(noise: Tensor, data: Tensor, times: [Float]) -> (state: Tensor, velocity: Tensor) {
        precondition(
            noise.shape == data.shape, "FlowPath.interpolate: noise \(noise.shape) and data \(data.shape) differ")
        precondition(
            noise.rank >= 1 && times.count == noise.shape[0],
            "FlowPath.interpolate: \(times.count) times for a batch of shape \(noise.shape)")
        let n = times.count
        let per = n == 0 ? 0 : noise.count / n
        let state = Tensor(uninitializedShape: noise.shape)
        let velocity = Tensor(uninitializedShape: noise.shape)
        let x0 = noise.unsafePointer, x1 = data.unsafePointer
        let xt = state.unsafePointer, v = velocity.unsafePointer
        for i in 0..<n {
            let k = coefficients(at: times[i])
            let base = i * per
            for j in base..<(base + per) {
                xt[j] = k.sigma * x0[j] + k.alpha * x1[j]
                v[j] = k.sigmaRate * x0[j] + k.alphaRate * x1[j]
            }
        }
        return (state, velocity)
    }
}
