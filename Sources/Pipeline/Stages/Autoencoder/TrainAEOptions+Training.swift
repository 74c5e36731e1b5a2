import VQVAE

extension TrainAEOptions {
    /// The trainer's settings these options describe.
    var trainingConfig: AutoencoderTrainingConfig {
        var config = AutoencoderTrainingConfig()
        config.learningRate = learningRate
        config.finalLearningRateFraction = finalLearningRateFraction
        config.warmupSteps = warmupSteps
        config.weightDecay = weightDecay
        config.beta2 = beta2
        config.clipNorm = clipNorm
        config.emaDecay = emaDecay
        config.loss = loss
        config.adversarial = adversarial.map {
            AdversarialTrainingConfig(
                weight: $0.weight, startStep: $0.startStep, discriminator: $0.discriminator,
                learningRate: $0.learningRate)
        }
        config.quantizerStartStep = quantizerStartStep
        config.kmeansBatches = kmeansBatches
        config.decoderOnly = decoderFineTuneSource != nil
        config.seed = seed
        return config
    }
}
