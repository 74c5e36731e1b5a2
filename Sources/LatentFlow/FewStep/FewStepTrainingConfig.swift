/// Everything that shapes a few-step distillation run besides the networks and the pairs.
public struct FewStepTrainingConfig: FlowOptimizerSettings, Codable, Equatable, Sendable {
    public var method: FewStepMethod = .shortcut
    // Optimiser: AdamW, linear warm-up, cosine decay (the student starts from the teacher's
    // weights, so a lower peak than training from scratch).
    public var learningRate: Double = 1e-4
    public var minimumLearningRate: Double = 1e-5
    public var warmupSteps: Int = 100
    /// Length of the cosine decay (nil: the step budget, or planned from a time budget).
    public var scheduleSteps: Int?
    public var weightDecay: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var gradientClip: Double? = 1
    public var emaDecay: Double? = 0.999
    /// Times of the flow-matching samples (uniform: a few-step sampler visits the whole of [0, 1]).
    public var timeSampling: TimeSampling = .uniform
    /// Shortcut: the share of each batch trained on the self-consistency target (the rest on
    /// flow matching at d = 0); a quarter, as Frans et al. found to work.
    public var selfConsistencyFraction: Double = 0.25
    /// The most steps the model is sampled in. Shortcut: a power of two; the big steps trained
    /// are 1, 1/2, …, 1/this, each taught by two half steps (the finest half steps, 1/(2·this),
    /// query the instantaneous velocity, d = 0). Reflow: the most Euler steps offered.
    public var maximumSteps: Int = 64
    /// Seeds the times, step sizes and (with the pair batches' own seed) nothing else.
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw FlowTrainingError(message) } }
        try validateOptimizer()
        try check(
            (0...1).contains(selfConsistencyFraction),
            "self-consistency fraction must be in [0, 1], got \(selfConsistencyFraction)")
        try check(
            maximumSteps >= 2 && maximumSteps <= 1 << 16, "maximum steps must be in 2...65536, got \(maximumSteps)")
        if method == .shortcut {
            try check(
                maximumSteps & (maximumSteps - 1) == 0,
                "a shortcut model's maximum steps must be a power of two, got \(maximumSteps)")
        }
        try timeSampling.validate()
    }

    /// `validate()`, and for a shortcut student that every batch of `batchSize` has
    /// self-consistency rows: without them the step-size input is never taught a step of its own
    /// (a batch of 3 at a quarter has none), and the model would be sampled as shortcut jumps it
    /// never learned. The message names the settings that give none.
    public func validate(batchSize: Int) throws {
        try validate()
        guard method == .shortcut else { return }
        guard FewStepObjective.consistencyCount(batch: batchSize, config: self) >= 1 else {
            throw FlowTrainingError(
                "a shortcut student needs self-consistency rows in every batch, but a self-consistency fraction "
                    + "of \(selfConsistencyFraction) (--self-consistency) of a batch of \(batchSize) (--batch-size) "
                    + "rounds down to none; raise either, or distil with the reflow method")
        }
    }

    /// What the model's file says about sampling it.
    public func modelInfo(guidance: Float, guidanceInterval: ClosedRange<Float>) -> FewStepModelInfo {
        FewStepModelInfo(
            method: method, maximumSteps: maximumSteps, guidance: guidance, guidanceInterval: guidanceInterval)
    }
}
