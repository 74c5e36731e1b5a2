/// Everything that shapes a flow training run besides the network and the data.
public struct FlowTrainingConfig: FlowOptimizerSettings, Codable, Equatable, Sendable {
    // Optimiser: AdamW with linear warm-up and cosine decay to `minimumLearningRate`.
    public var learningRate: Double = 2e-4
    public var minimumLearningRate: Double = 2e-5
    public var warmupSteps: Int = 200
    /// Length of the cosine decay in steps. nil: the step budget; with only a time budget the
    /// trainer estimates it from the speed of the first steps (and keeps it on resume).
    public var scheduleSteps: Int?
    public var weightDecay: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    /// Global gradient-norm clipping (nil: none).
    public var gradientClip: Double? = 1
    /// Decay of the exponential moving average of the weights (nil: no EMA; the trained weights
    /// are the model).
    public var emaDecay: Double? = 0.999
    /// Start the network with every residual branch's last layer and the output convolution at
    /// zero (`VelocityUNet.zeroInitialiseBranchOutputs`): on Oxford it lowered the samples' mean
    /// SWD by 8–10 % at two training seeds (docs/training.md). Optional so that configurations
    /// written before it existed (nil) read as what they were: off. Only the initial weights
    /// depend on it, so a resumed run does not compare it (`FlowTrainer.resume`). Whoever builds
    /// the network applies it (`TrainFlowStage.initialModel`): the trainer is handed a network.
    public var zeroInitialisedBranchOutputs: Bool? = true

    // Flow matching.
    public var path: FlowPath = .linear
    public var timeSampling: TimeSampling = .logitNormal
    /// Pair noise and data within each batch by exact optimal transport.
    public var optimalTransport = false
    /// Class-conditional training (false: every sample is trained with the "no class" id).
    public var conditional = true
    /// Fraction of samples trained with the "no class" id, for classifier-free guidance.
    public var labelDropout: Double = 0.1
    /// Losses are also reported per time interval: [0, 1) cut into this many equal buckets.
    public var timeBuckets = 5
    /// Seeds the noise, times, label dropout and (through the batch source's own seed) nothing else.
    public var seed: UInt64 = 0

    public init() {}

    /// Checks the settings; the message names the setting at fault.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw FlowTrainingError(message) } }
        try validateOptimizer()
        try check((0...1).contains(labelDropout), "label dropout must be in [0, 1], got \(labelDropout)")
        try check(timeBuckets >= 1 && timeBuckets <= 100, "time buckets must be in 1...100, got \(timeBuckets)")
        try timeSampling.validate()
    }
}
