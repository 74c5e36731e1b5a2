import Foundation

/// The scalars of one Adam step for one parameter, computed in Double and rounded once.
struct AdamStepScalars {
    /// Multiplies the parameter before the update: 1 − lr·wd for AdamW, 1 otherwise.
    var parameterDecay: Float
    /// Adds `l2 · p` to the gradient: wd for Adam, 0 for AdamW.
    var l2: Float
    var oneMinusBeta1: Float
    var beta2: Float
    var oneMinusBeta2: Float
    /// −lr / (1 − β₁ᵗ).
    var negativeStepSize: Float
    /// √(1 − β₂ᵗ).
    var biasCorrection2Root: Float
    var epsilon: Float

    init(configuration c: AdamConfiguration, step: Int) {
        let decoupled = c.decoupledWeightDecay
        parameterDecay = decoupled ? Float(1 - c.learningRate * c.weightDecay) : 1
        l2 = decoupled ? 0 : Float(c.weightDecay)
        oneMinusBeta1 = Float(1 - c.beta1)
        beta2 = Float(c.beta2)
        oneMinusBeta2 = Float(1 - c.beta2)
        let t = Double(step)
        negativeStepSize = Float(-c.learningRate / (1 - pow(c.beta1, t)))
        biasCorrection2Root = Float((1 - pow(c.beta2, t)).squareRoot())
        epsilon = Float(c.epsilon)
    }
}

/// One fused Adam/AdamW update over `count` elements: reads p, g, m, v once and writes p, m, v,
/// split over the compute threads. The arithmetic follows PyTorch's single-tensor Adam
/// operation by operation (lerp for m, mul+addcmul for v, sqrt/bc₂ + eps, addcdiv), so results
/// agree with it to rounding.
func adamStep(
    parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
    count: Int, scalars s: AdamStepScalars
) {
    // Memory-bound: 28 bytes per element. Chunks of 32k elements keep small tensors inline.
    parallelChunks(count, minimumPerThread: 32_768) { range in
        let decay = s.parameterDecay, l2 = s.l2, w1 = s.oneMinusBeta1, b2 = s.beta2, w2 = s.oneMinusBeta2
        let stepSize = s.negativeStepSize, bc2 = s.biasCorrection2Root, eps = s.epsilon
        // All loads before all stores, so the vectoriser needs no reasoning about aliasing
        // between the four arrays inside an iteration.
        for i in range {
            let p0 = p[i], g0 = g[i], m0 = m[i], v0 = v[i]
            let grad = g0 + l2 * p0
            let decayed = p0 * decay
            let mi = m0 + w1 * (grad - m0)
            let vi = v0 * b2 + w2 * grad * grad
            let denominator = vi.squareRoot() / bc2 + eps
            m[i] = mi
            v[i] = vi
            p[i] = decayed + stepSize * mi / denominator
        }
    }
}
