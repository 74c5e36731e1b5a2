import TensorCore

/// The optimiser settings that flow training (`FlowTrainingConfig`) and few-step distillation
/// (`FewStepTrainingConfig`) share: AdamW with linear warm-up and cosine decay, gradient-norm
/// clipping and an EMA of the weights. Checked, and turned into an optimiser, an EMA and a
/// schedule, in one place, so the two trainers cannot drift apart.
public protocol FlowOptimizerSettings {
    var learningRate: Double { get }
    var minimumLearningRate: Double { get }
    var warmupSteps: Int { get }
    /// Length of the cosine decay (nil: the step budget, or planned from a time budget).
    var scheduleSteps: Int? { get }
    var weightDecay: Double { get }
    var beta1: Double { get }
    var beta2: Double { get }
    /// Global gradient-norm clipping (nil: none).
    var gradientClip: Double? { get }
    /// Decay of the exponential moving average of the weights (nil: no EMA).
    var emaDecay: Double? { get }
}

extension FlowOptimizerSettings {
    /// Throws a `FlowTrainingError` naming the setting at fault.
    func validateOptimizer() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw FlowTrainingError(message) } }
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        try check(
            minimumLearningRate >= 0 && minimumLearningRate <= learningRate,
            "minimum learning rate must be in 0...\(learningRate), got \(minimumLearningRate)")
        try check(warmupSteps >= 0, "warm-up steps must not be negative, got \(warmupSteps)")
        if let scheduleSteps { try check(scheduleSteps >= 1, "schedule steps must be positive, got \(scheduleSteps)") }
        try check(weightDecay >= 0, "weight decay must not be negative, got \(weightDecay)")
        try check(
            (0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam betas must be in [0, 1), got \(beta1), \(beta2)")
        if let gradientClip { try check(gradientClip > 0, "gradient clip must be positive, got \(gradientClip)") }
        if let emaDecay { try check(emaDecay > 0 && emaDecay < 1, "EMA decay must be in (0, 1), got \(emaDecay)") }
    }

    func makeOptimizer(_ parameters: [NamedParameter]) -> AdamW {
        AdamW(
            parameters: parameters,
            configuration: .adamW(
                learningRate: learningRate, beta1: beta1, beta2: beta2, weightDecay: weightDecay))
    }

    func makeEMA(_ parameters: [NamedParameter]) -> ExponentialMovingAverage? {
        emaDecay.map { ExponentialMovingAverage(parameters: parameters, decay: $0) }
    }

    /// Warm-up then cosine decay over `totalSteps` once that is known, warm-up then constant before.
    func schedule(totalSteps: Int?) -> LearningRateSchedule {
        .warmupThenCosine(
            peak: learningRate, floor: minimumLearningRate, warmupSteps: warmupSteps, totalSteps: totalSteps)
    }

    /// Clips the gradients to `gradientClip` (if set) and returns their global norm before clipping.
    func clipGradients(_ parameters: [Variable]) -> Double {
        gradientClip.map { clipGradientNorm(parameters, maxNorm: $0) } ?? globalGradientNorm(parameters)
    }
}
