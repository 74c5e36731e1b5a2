import Foundation
import TensorCore

/// Trains an `RVQAutoencoder` on batches from any `AutoencoderBatchSource`: AdamW with warm-up
/// and cosine decay, gradient clipping, the EMA of the weights, the k-means start of the
/// codebooks, and optionally the adversarial term and a decoder-only fine-tune.
///
/// Its state — model, optimizer, EMA, schedule, discriminator and the generator that drives the
/// quantizer's dropout, restarts and k-means start — all goes into the checkpoint, so a resumed
/// run continues bit for bit. `TrainingLoop` drives it, as it does the flow's trainer.
public final class AutoencoderTrainer: Trainer {
    public let config: AutoencoderTrainingConfig
    public let model: RVQAutoencoder
    public let source: AutoencoderBatchSource
    public let optimizer: AdamW
    public let ema: ExponentialMovingAverage?
    /// The discriminator and its optimizer, if the adversarial term is on.
    let adversarial: AdversarialTraining?
    /// Latents whose decoded pictures the discriminator also judges at a step, besides the
    /// reconstructions (a flow's samples, for a decoder fine-tune): a pure function of the step,
    /// so a resumed run draws the same ones. nil: none.
    public var generatedLatents: ((_ step: Int) -> Tensor)?
    /// See `GradientHook`: after the backward pass, before clipping (nil: nothing).
    public var gradientHook: GradientHook?
    /// Steps completed; the next step has this 0-based index.
    public internal(set) var step = 0
    /// Horizon of the cosine decay (0 until known).
    public internal(set) var horizon = 0
    public internal(set) var schedule: LearningRateSchedule
    var generator: SeededGenerator
    /// Training seconds over all sessions.
    public var trainingSeconds = 0.0

    static let generatorName = "quantizer"

    public init(
        config: AutoencoderTrainingConfig, model modelConfig: RVQAutoencoderConfig, source: AutoencoderBatchSource
    ) {
        self.config = config
        self.source = source
        var initialization = SeededGenerator(seed: config.seed)
        let model = RVQAutoencoder(modelConfig, generator: &initialization)
        self.model = model
        generator = initialization.split()
        // Fine-tuning the decoder: only its parameters are optimised and averaged.
        let trained = config.decoderOnly ? model.decoderParameters() : model.namedParameters()
        optimizer = AdamW(
            parameters: trained, learningRate: config.learningRate, beta1: 0.9,
            beta2: config.beta2, epsilon: 1e-8, weightDecay: config.weightDecay)
        ema = config.emaDecay.map { ExponentialMovingAverage(parameters: trained, decay: $0, warmup: true) }
        schedule = .linearWarmup(peak: config.learningRate, warmupSteps: config.warmupSteps)
        adversarial = config.adversarial.map { AdversarialTraining(config: $0, seed: config.seed) }
    }

    // MARK: Schedule

    /// Fixes the horizon of the cosine decay.
    public func setHorizon(_ steps: Int) {
        horizon = max(steps, 1)
        schedule = .warmupCosine(
            peak: config.learningRate, floor: config.learningRate * config.finalLearningRateFraction,
            warmupSteps: config.warmupSteps, totalSteps: horizon)
    }

    /// A step budget is the horizon, in a resumed session too (a raised `--steps` stretches it).
    public func beginSession(budget: TrainingBudget) {
        if let steps = budget.steps { setHorizon(steps) }
    }

    public func planSchedule(steps: Int) { setHorizon(steps) }

    // MARK: Starting

    /// Starts a decoder fine-tune from a trained autoencoder of this configuration: copies every
    /// weight and codebook; the averages start at the loaded decoder, not at the random one.
    public func load(trained source: RVQAutoencoder, path: String) throws {
        guard source.config == model.config else {
            throw AutoencoderTrainingError(
                "\(path): its autoencoder is \(Self.describe(source.config)), this trainer's is \(Self.describe(model.config))"
            )
        }
        try model.loadState(source.stateTensors(), source: path)
        if let ema {
            try ema.loadAverages(
                Dictionary(uniqueKeysWithValues: ema.parameters.map { ($0.name, $0.variable.value) }), source: path)
        }
    }

    public static func describe(_ config: RVQAutoencoderConfig) -> String {
        "widths \(config.autoencoder.widths), RVQ \(config.quantizer.levels)×\(config.quantizer.codebookSize), "
            + "\(config.imageSize) px"
    }

    /// Whether the next step trains through the quantizer (after the continuous warm-up).
    public var quantizerActive: Bool { step >= config.quantizerStartStep }
    /// Whether the codebooks must be started before the next step.
    var needsQuantizerStart: Bool { quantizerActive && !model.quantizer.isInitialized }

    // MARK: One step

    /// One optimizer step: batch → loss → backward → (gradient hook) → clip → optimizer and EMA,
    /// then the discriminator's step on this batch.
    /// - Throws: `AutoencoderTrainingError` when the loss is not finite (the run has diverged).
    public func trainStep() throws -> AutoencoderStepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let startedQuantizer = try startQuantizerIfDue()
        let images = try source.nextBatch()
        let rate = schedule.learningRate(at: step)
        let forward = try loss(on: images, learningRate: rate)
        forward.terms.total.backward()
        try gradientHook?(optimizer.parameters)
        let norm = clipGradients()
        let skipped = update(gradientNorm: norm)
        var terms = Dictionary(uniqueKeysWithValues: forward.terms.parts.map { ($0.name, $0.value) })
        terms["discriminator_hinge"] = trainDiscriminator(forward, real: images)

        let report = AutoencoderStepReport(
            step: step, loss: forward.loss, terms: terms, psnr: forward.psnr, learningRate: rate, gradientNorm: norm,
            levels: forward.model.levelsUsed, perplexity: perplexity(forward.model, count: images.shape[0]),
            restarts: forward.model.restartedCodes, skipped: skipped, samples: images.shape[0],
            startedQuantizer: startedQuantizer, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        step += 1
        return report
    }

    /// The forward pass of a step and its loss, before the backward pass.
    struct StepForward {
        var model: RVQTrainingForward
        var terms: AutoencoderLossTerms
        /// The decoder's pictures of `generatedLatents` (judged by the discriminator too).
        var decodedGenerated: Variable?
        var discriminating: AdversarialTraining?
        var loss: Double
        var psnr: Double
    }

    /// Starts the codebooks at k-means centroids of the current encoder's latents of the batches
    /// about to be trained on, once the quantizer becomes active; says whether it did.
    private func startQuantizerIfDue() throws -> Bool {
        guard needsQuantizerStart else { return false }
        var values: [Float] = []
        var count = 0
        for images in try source.upcomingBatches(config.kmeansBatches) {
            let latents = withoutGradients { model.encodeContinuous(Variable(images)).value }
            values += latents.values
            count += latents.shape[0]
        }
        let latents = Tensor(shape: [count] + model.latentShape, values: values)
        model.quantizer.initialize(from: latents, generator: &generator)
        return true
    }

    /// Batch → loss: the reconstruction terms, and the adversarial ones once they are on.
    private func loss(on images: Tensor, learningRate: Double) throws -> StepForward {
        optimizer.learningRate = learningRate
        optimizer.zeroGradients()
        let forward =
            config.decoderOnly
            ? model.decoderTrainingForward(images)
            : model.trainingForward(Variable(images), generator: &generator, bypassQuantizer: !quantizerActive)
        var terms = AutoencoderLoss.compute(
            reconstruction: forward.reconstruction, target: images,
            commitment: forward.commitmentLoss, config: config.loss)
        let discriminating = adversarial.flatMap { $0.isActive(atStep: step) ? $0 : nil }
        var decodedGenerated: Variable?
        if let discriminating {
            let term = discriminating.generatorTerm(forward.reconstruction)
            terms.total = terms.total + term
            terms.parts.append((name: "adversarial", value: Double(term.value.scalarValue)))
            if let generatedLatents {
                // No target for these: the discriminator's judgement is their only term.
                let decoded = model.decode(Variable(generatedLatents(step)))
                let generatedTerm = discriminating.generatorTerm(decoded)
                terms.total = terms.total + generatedTerm
                terms.parts.append((name: "adversarial_generated", value: Double(generatedTerm.value.scalarValue)))
                decodedGenerated = decoded
            }
        }
        let loss = Double(terms.total.value.scalarValue)
        guard loss.isFinite else {
            throw AutoencoderTrainingError("training diverged at step \(step): the loss is \(loss)")
        }
        let psnr = ImageQuality.psnr(forward.reconstruction.value, images)
        return StepForward(
            model: forward, terms: terms, decodedGenerated: decodedGenerated, discriminating: discriminating,
            loss: loss, psnr: psnr.reduce(0, +) / Double(max(psnr.count, 1)))
    }

    /// Clips the global gradient norm (when set); returns the norm before clipping.
    private func clipGradients() -> Double {
        config.clipNorm > 0
            ? optimizer.clipGradientNorm(maxNorm: config.clipNorm) : globalGradientNorm(model.parameters)
    }

    /// The optimizer's step and the EMA's, unless the gradient is not finite; says whether skipped.
    private func update(gradientNorm: Double) -> Bool {
        guard gradientNorm.isFinite else {
            optimizer.zeroGradients()
            return true
        }
        optimizer.step()
        ema?.update(step: step)
        return false
    }

    /// The discriminator's step on this batch's reconstructions from before the autoencoder's
    /// update, as VQGAN does; its hinge loss (nil while the term is off).
    private func trainDiscriminator(_ forward: StepForward, real images: Tensor) -> Double? {
        guard let discriminating = forward.discriminating else { return nil }
        var fake = forward.model.reconstruction.value
        if let decoded = forward.decodedGenerated { fake = Tensor.concatenatingRows([fake, decoded.value]) }
        return discriminating.trainDiscriminator(real: images, fake: fake)
    }

    private func perplexity(_ forward: RVQTrainingForward, count: Int) -> [Double] {
        guard forward.levelsUsed > 0 else { return [] }
        let levels = model.config.quantizer.levels
        var usage = CodeUsage(levels: levels, codebookSize: model.config.quantizer.codebookSize)
        usage.add(codes: forward.codes, count: count, levels: levels)
        return (0..<levels).map { usage.perplexity(level: $0) }
    }

    // MARK: The result

    /// Runs `body` with the weights that are evaluated and saved: the EMA averages if enabled.
    public func withEvaluationWeights<R>(_ body: () throws -> R) rethrows -> R {
        guard let ema else { return try body() }
        return try ema.withAveragedParameters(body)
    }
}
