import TensorCore
import VQVAE

/// Batch k of `size` made-up 16×16 images, a pure function of k, as the pipeline's loader is of
/// its position.
final class MadeUpImageBatches: AutoencoderBatchSource {
    let size: Int
    private(set) var position = 0

    init(size: Int) { self.size = size }

    func batch(_ k: Int) -> Tensor {
        var generator = SeededGenerator(seed: 500 + UInt64(k))
        return Initialization.uniform(shape: [size, 3, 16, 16], low: -1, high: 1, generator: &generator)
    }

    func nextBatch() throws -> Tensor {
        defer { position += 1 }
        return batch(position)
    }

    func upcomingBatches(_ count: Int) throws -> [Tensor] { (0..<count).map { batch(position + $0) } }
}

let tinyDiscriminatorLearningRate = 5e-4

/// An autoencoder trainer small enough for a unit test, with every part of a step switched on:
/// continuous warm-up then the k-means start (step 1), quantizer dropout, dead-code restarts
/// after one idle step (so some happen at every step), clipping, AdamW, the EMA of the weights,
/// and from step 2 the discriminator, which also judges `generated` decoded latents per step.
func makeTinyAutoencoderTrainer(batch: Int, generated: Int) -> AutoencoderTrainer {
    var model = RVQAutoencoderConfig()
    model.autoencoder = AutoencoderConfig().scaled(widths: 0.125)
    model.quantizer = QuantizerConfig(levels: 2, codebookSize: 16, dimension: 4)
    model.quantizer.deadCodeWindow = 1
    model.imageSize = 16
    var config = AutoencoderTrainingConfig()
    config.learningRate = 1e-3
    config.warmupSteps = 2
    config.quantizerStartStep = 1
    config.kmeansBatches = 2
    config.emaDecay = 0.9
    config.seed = 11
    config.adversarial = AdversarialTrainingConfig(
        weight: 0.1, startStep: 2, discriminator: PatchDiscriminatorConfig(base: 8, downsamplings: 2),
        learningRate: tinyDiscriminatorLearningRate)
    let trainer = AutoencoderTrainer(config: config, model: model, source: MadeUpImageBatches(size: batch))
    let latentShape = trainer.model.latentShape
    trainer.generatedLatents = { step in
        var generator = SeededGenerator(seed: 900 + UInt64(step))
        return Initialization.normal(shape: [generated] + latentShape, generator: &generator)
    }
    trainer.setHorizon(20)
    return trainer
}
