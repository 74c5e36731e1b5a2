/// Hyper-parameters of Adam / AdamW, with PyTorch's meaning and defaults.
///
/// Kept in Double like PyTorch's Python floats, so that derived scalars (1 − β₁, bias
/// corrections, step size) are rounded to Float32 only once, as PyTorch rounds them.
public struct AdamConfiguration: Codable, Equatable, Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    /// true: AdamW's decoupled decay `p ← p·(1 − lr·wd)` before the update;
    /// false: Adam's L2 penalty `g ← g + wd·p`.
    public var decoupledWeightDecay: Bool

    public init(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        weightDecay: Double = 0, decoupledWeightDecay: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// PyTorch's `AdamW` defaults (weight decay 0.01, decoupled).
    public static func adamW(
        learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 1e-2
    ) -> AdamConfiguration {
        AdamConfiguration(
            learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}
