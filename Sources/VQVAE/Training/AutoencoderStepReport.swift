/// What one training step of the autoencoder did.
public struct AutoencoderStepReport: Sendable {
    /// The 0-based index of the step.
    public var step: Int
    /// The total loss (weighted terms).
    public var loss: Double
    /// Weighted loss terms by name (l1, mse, gradient, commitment, adversarial…) and the
    /// discriminator's hinge loss when it trained.
    public var terms: [String: Double]
    /// Mean PSNR of the batch's reconstructions (dB).
    public var psnr: Double
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// Quantizer levels decoded (0 while the quantizer is bypassed).
    public var levels: Int
    /// Perplexity of each level's codes in the batch.
    public var perplexity: [Double]
    /// Codes re-seeded per level.
    public var restarts: [Int]
    /// The gradient was not finite and the update was skipped.
    public var skipped: Bool
    /// Images in the batch.
    public var samples: Int
    /// The codebooks were started by k-means before this step.
    public var startedQuantizer: Bool
    /// Wall-clock seconds of the step (k-means start, batch, forward, backward, update).
    public var seconds: Double
}
