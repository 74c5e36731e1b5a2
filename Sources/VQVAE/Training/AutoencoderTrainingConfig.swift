import TensorCore

/// Everything that shapes the autoencoder's training steps besides the network and the data.
/// (The pipeline's `TrainAEOptions` say the same for the command line and add places, budget and
/// cadence; `TrainAEOptions.trainingConfig` makes one of these.)
public struct AutoencoderTrainingConfig: Equatable, Sendable {
    // AdamW (β₁ 0.9, ε 1e-8) with linear warm-up and cosine decay to a fraction of the peak.
    public var learningRate = 1e-3
    public var finalLearningRateFraction = 0.05
    public var warmupSteps = 100
    public var weightDecay = 1e-4
    public var beta2 = 0.99
    /// Global gradient-norm clipping (0: off).
    public var clipNorm = 1.0
    /// Decay of the exponential moving average of the weights (nil: off).
    public var emaDecay: Double? = 0.995
    public var loss = AutoencoderLossConfig()
    /// The PatchGAN term (nil: off).
    public var adversarial: AdversarialTrainingConfig?
    /// Steps trained on continuous latents before the codebooks are started by k-means.
    public var quantizerStartStep = 0
    /// Batches whose latents the k-means start clusters.
    public var kmeansBatches = 4
    /// Train the decoder alone (encoder and codebooks frozen): a decoder fine-tune.
    public var decoderOnly = false
    /// Seeds the initial weights, the quantizer's generator and the discriminator.
    public var seed: UInt64 = 0

    public init() {}
}

/// The adversarial term: a PatchGAN discriminator judging the reconstructions (VQGAN's recipe).
public struct AdversarialTrainingConfig: Equatable, Sendable {
    /// Weight of the generator's hinge term (−mean D(reconstruction)) in the autoencoder's loss.
    public var weight: Double
    /// The first step at which the discriminator trains and its term is added.
    public var startStep: Int
    public var discriminator: PatchDiscriminatorConfig
    /// AdamW learning rate of the discriminator (constant), with GAN betas (0.5, 0.9).
    public var learningRate: Double

    public init(weight: Double, startStep: Int, discriminator: PatchDiscriminatorConfig, learningRate: Double) {
        self.weight = weight
        self.startStep = startStep
        self.discriminator = discriminator
        self.learningRate = learningRate
    }
}
