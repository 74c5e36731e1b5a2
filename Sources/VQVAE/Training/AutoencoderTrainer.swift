import DataParallel
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
    /// The discriminator of the adversarial term (nil when it is off).
    public var discriminator: PatchDiscriminator? { adversarial?.discriminator }
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
    /// The ranks training together (nil: this process alone); set by `join(_:)`.
    public internal(set) var dataParallel: DataParallelGroup?
    /// The same ranks for the discriminator's gradients: a group of its own, so that each network
    /// keeps its own gradient buckets.
    var discriminatorRanks: DataParallelGroup?

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
        // Data parallel: this rank's rows of the batch; alone, all of it.
        let rows = try rowsOfThisRank(try source.nextBatch())
        let rate = schedule.learningRate(at: step)
        let forward = try loss(on: rows, learningRate: rate)
        try backwardAcrossRanks(forward.terms.total, share: rows.share)
        // The loss figures of the global batch (alone, this batch's).
        let figures = try figuresAcrossRanks(forward, rows: rows)
        guard figures.loss.isFinite else {
            throw AutoencoderTrainingError("training diverged at step \(step): the loss is \(figures.loss)")
        }
        try gradientHook?(optimizer.parameters)
        let norm = clipGradients()
        let skipped = update(gradientNorm: norm)
        var terms = figures.terms
        terms["discriminator_hinge"] = try trainDiscriminator(forward, rows: rows)

        let report = AutoencoderStepReport(
            step: step, loss: figures.loss, terms: terms, psnr: figures.psnr, learningRate: rate,
            gradientNorm: norm, levels: forward.model.levelsUsed, perplexity: figures.perplexity,
            restarts: forward.model.restartedCodes, skipped: skipped, samples: rows.batchSize,
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
        /// Codes chosen in this batch, per level (nil while the quantizer is bypassed).
        var usage: CodeUsage?
        /// This rank's share of the step's generated latents (1 alone), and their number in all.
        var generatedShare: Double
        var generatedTotal: Int
    }

    /// Starts the codebooks at k-means centroids of the current encoder's latents of the batches
    /// about to be trained on, once the quantizer becomes active; says whether it did.
    private func startQuantizerIfDue() throws -> Bool {
        guard needsQuantizerStart else { return false }
        var values: [Float] = []
        var count = 0
        // Data parallel: every rank encodes the whole batches, as one process does.
        for images in try source.upcomingBatches(config.kmeansBatches) {
            let latents = withoutGradients { model.encodeContinuous(Variable(images)).value }
            values += latents.values
            count += latents.shape[0]
        }
        let latents = Tensor(shape: [count] + model.latentShape, values: values)
        model.quantizer.initialize(from: latents, generator: &generator)
        try adoptRank0Start()
        return true
    }

    /// Batch → loss: the reconstruction terms, and the adversarial ones once they are on.
    private func loss(on rows: AutoencoderStepRows, learningRate: Double) throws -> StepForward {
        optimizer.learningRate = learningRate
        optimizer.zeroGradients()
        let images = rows.images
        let forward =
            config.decoderOnly
            ? model.decoderTrainingForward(images)
            : try model.trainingForward(Variable(images), bypassQuantizer: !quantizerActive) { latents in
                guard let share = rows.quantizerShare else {
                    return model.quantizer.trainingStep(latents, generator: &generator)
                }
                return try model.quantizer.trainingStep(latents, generator: &generator, share: share)
            }
        var terms = AutoencoderLoss.compute(
            reconstruction: forward.reconstruction, target: images,
            commitment: forward.commitmentLoss, config: config.loss)
        let discriminating = adversarial.flatMap { $0.isActive(atStep: step) ? $0 : nil }
        var decodedGenerated: Variable?
        var generatedShare = 1.0, generatedTotal = 0
        if let discriminating {
            let term = discriminating.generatorTerm(forward.reconstruction)
            terms.total = terms.total + term
            terms.parts.append((name: "adversarial", value: Double(term.value.scalarValue)))
            if let generatedLatents {
                // No target for these: the discriminator's judgement is their only term.
                let generated = try rows.generatedRows(of: generatedLatents(step))
                let decoded = model.decode(Variable(generated.latents))
                let generatedTerm = discriminating.generatorTerm(decoded)
                // Data parallel: this term is a mean over the generated rows, weighted by their share.
                generatedShare = generated.share
                generatedTotal = Int((Double(generated.latents.shape[0]) / generated.share).rounded())
                let weight = rows.weightInLoss(ofGeneratedShare: generated.share)
                terms.total = terms.total + (weight == 1 ? generatedTerm : generatedTerm * Float(weight))
                terms.parts.append((name: "adversarial_generated", value: Double(generatedTerm.value.scalarValue)))
                decodedGenerated = decoded
            }
        }
        let loss = Double(terms.total.value.scalarValue)
        let psnr = ImageQuality.psnr(forward.reconstruction.value, images)
        return StepForward(
            model: forward, terms: terms, decodedGenerated: decodedGenerated, discriminating: discriminating,
            loss: loss, psnr: psnr.reduce(0, +) / Double(max(psnr.count, 1)),
            usage: usage(forward, count: images.shape[0]), generatedShare: generatedShare,
            generatedTotal: generatedTotal)
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
    private func trainDiscriminator(_ forward: StepForward, rows: AutoencoderStepRows) throws -> Double? {
        guard let discriminating = forward.discriminating else { return nil }
        var fake = forward.model.reconstruction.value
        if let decoded = forward.decodedGenerated { fake = Tensor.concatenatingRows([fake, decoded.value]) }
        guard let ranks = discriminatorRanks else {
            return discriminating.trainDiscriminator(real: rows.images, fake: fake)
        }
        return try discriminating.trainDiscriminator(
            real: rows.images, fake: fake, ranks: ranks, realShare: rows.share,
            fakeShare: Double(fake.shape[0]) / Double(rows.batchSize + forward.generatedTotal))
    }

    /// The codes of the batch by level (nil while the quantizer is bypassed).
    private func usage(_ forward: RVQTrainingForward, count: Int) -> CodeUsage? {
        guard forward.levelsUsed > 0 else { return nil }
        let levels = model.config.quantizer.levels
        var usage = CodeUsage(levels: levels, codebookSize: model.config.quantizer.codebookSize)
        usage.add(codes: forward.codes, count: count, levels: levels)
        return usage
    }

    // MARK: The result

    /// Runs `body` with the weights that are evaluated and saved: the EMA averages if enabled.
    public func withEvaluationWeights<R>(_ body: () throws -> R) rethrows -> R {
        guard let ema else { return try body() }
        return try ema.withAveragedParameters(body)
    }
}
