import Foundation
import VQVAE

/// The optional adversarial term of `train-ae` (VQGAN's recipe, off by default: on this CPU its
/// discriminator costs steps). nil in `TrainAEOptions.adversarial` is off. The trainer's part is
/// VQVAE's `AdversarialTrainingConfig` (see `TrainAEOptions.trainingConfig`).
public struct AdversarialOptions: Codable, Equatable, Sendable {
    /// Weight of the generator's hinge term (−mean D(reconstruction)) in the autoencoder's loss.
    public var weight = 0.1
    /// Steps of plain reconstruction training first: a discriminator judging the blobs of the
    /// first steps only adds noise. From this step on it trains and its term is added.
    public var startStep = 1000
    public var discriminator = PatchDiscriminatorConfig()
    /// AdamW learning rate of the discriminator (constant), with GAN betas (0.5, 0.9).
    public var learningRate = 2e-4

    public init() {}

    public var problems: [String] {
        var result = discriminator.problems
        if !(weight > 0 && weight.isFinite) { result.append("--adversarial-weight must be positive, got \(weight)") }
        if startStep < 0 { result.append("--adversarial-start must be non-negative, got \(startStep)") }
        if !(learningRate > 0 && learningRate.isFinite) {
            result.append("--discriminator-lr must be positive, got \(learningRate)")
        }
        return result
    }
}
