import Datasets
import FileFormats
import Foundation
import TensorCore
import VQVAE

/// What a checkpoint of the autoencoder stage stores besides the tensors (its `user` document).
struct TrainAECheckpointInfo: Codable, Equatable {
    /// The options that shape the trajectory (see `TrainAEOptions.trajectoryKey`).
    var options: TrainAEOptions
    var imageSize: Int
    /// The loader position of the next batch.
    var position: LoaderPosition
    /// The horizon of the learning-rate schedule.
    var horizon: Int
    /// Training seconds so far, over all invocations.
    var trainingSeconds: Double
    /// Discriminator steps taken (nil without the adversarial term).
    var discriminatorSteps: Int?
}

/// The training state of the autoencoder stage and one optimizer step on a batch: the model,
/// AdamW, the EMA of the weights, the learning-rate schedule, and the generator that drives the
/// quantizer's dropout, restarts and k-means start. Everything in it goes into the checkpoint,
/// so a resumed run continues bit for bit.
final class AutoencoderTrainer {
    let options: TrainAEOptions
    let model: RVQAutoencoder
    let optimizer: AdamW
    let ema: ExponentialMovingAverage?
    /// The PatchGAN discriminator and its optimizer, if the adversarial term is on.
    let adversarial: AdversarialTraining?
    /// A flow's latents whose pictures the discriminator also judges (`--generated-latents`).
    var generatedLatents: GeneratedLatentPool?
    /// Steps completed; the next step has this 0-based index.
    private(set) var step = 0
    /// Loader position of the next batch.
    var position = LoaderPosition()
    /// Horizon of the cosine decay (0 until known).
    private(set) var horizon = 0
    private(set) var schedule: LearningRateSchedule
    private var generator: SeededGenerator
    /// Training seconds over all invocations.
    var trainingSeconds = 0.0

    static let generatorName = "quantizer"

    init(options: TrainAEOptions, imageSize: Int) {
        self.options = options
        var initialization = SeededGenerator(seed: options.seed)
        let model = RVQAutoencoder(options.modelConfig(imageSize: imageSize), generator: &initialization)
        self.model = model
        generator = initialization.split()
        // Fine-tuning the decoder: only its parameters are optimised and averaged.
        let trained = options.decoderFineTuneSource == nil ? model.namedParameters() : model.decoderParameters()
        optimizer = AdamW(parameters: trained, learningRate: options.learningRate, beta1: 0.9,
                          beta2: options.beta2, epsilon: 1e-8, weightDecay: options.weightDecay)
        ema = options.emaDecay.map { ExponentialMovingAverage(parameters: trained, decay: $0, warmup: true) }
        schedule = .linearWarmup(peak: options.learningRate, warmupSteps: options.warmupSteps)
        adversarial = options.adversarial.map { AdversarialTraining(options: $0, seed: options.seed) }
    }

    /// Fixes the horizon of the cosine decay.
    func setHorizon(_ steps: Int) {
        horizon = max(steps, 1)
        schedule = .warmupCosine(peak: options.learningRate, floor: options.learningRate * options.finalLearningRateFraction,
                                 warmupSteps: options.warmupSteps, totalSteps: horizon)
    }

    /// Starts a decoder fine-tune: copies every weight and codebook of the trained autoencoder
    /// at `url`, whose configuration must be the one these options describe.
    func loadFineTuneSource(_ url: URL, imageSize: Int) throws {
        let source = try RVQAutoencoder.load(from: url)
        let expected = options.modelConfig(imageSize: imageSize)
        guard source.config == expected else {
            throw TrainAEError("\(url.path): its autoencoder is \(Self.describe(source.config)), these options describe "
                + "\(Self.describe(expected)); give the same --width-scale, --levels and --codebook-size")
        }
        guard source.quantizer.isInitialized else {
            throw TrainAEError("\(url.path): its codebooks were never started; fine-tune the decoder of a trained autoencoder")
        }
        try model.loadState(source.stateTensors(), source: url.path)
        // The averages start at the loaded decoder, not at the random one they were made from.
        if let ema {
            try ema.loadAverages(Dictionary(uniqueKeysWithValues: ema.parameters.map { ($0.name, $0.variable.value) }),
                                 source: url.path)
        }
    }

    static func describe(_ config: RVQAutoencoderConfig) -> String {
        "widths \(config.autoencoder.widths), RVQ \(config.quantizer.levels)×\(config.quantizer.codebookSize), "
            + "\(config.imageSize) px"
    }

    /// Whether the next step trains through the quantizer (after the continuous warm-up).
    var quantizerActive: Bool { step >= options.quantizerStartStep }
    /// Whether the codebooks must be started before the next step.
    var needsQuantizerStart: Bool { quantizerActive && !model.quantizer.isInitialized }

    /// Starts the codebooks at k-means centroids of the current encoder's latents of `batches`.
    func startQuantizer(with batches: [Tensor]) {
        var values: [Float] = []
        var count = 0
        for images in batches {
            let latents = withoutGradients { model.encodeContinuous(Variable(images)).value }
            values += latents.values
            count += latents.shape[0]
        }
        let latents = Tensor(shape: [count] + model.latentShape, values: values)
        model.quantizer.initialize(from: latents, generator: &generator)
    }

    /// One optimizer step on `batch`; returns its record without the timing fields.
    /// - Throws: `TrainAEError` when the loss is not finite (the run has diverged).
    func train(on batch: ImageBatch) throws -> TrainAEStepRecord {
        let images = batch.images
        let rate = schedule.learningRate(at: step)
        optimizer.learningRate = rate
        optimizer.zeroGradients()
        let forward = options.decoderFineTuneSource == nil
            ? model.trainingForward(Variable(images), generator: &generator, bypassQuantizer: !quantizerActive)
            : model.decoderTrainingForward(images)
        var terms = AutoencoderLoss.compute(reconstruction: forward.reconstruction, target: images,
                                            commitment: forward.commitmentLoss, config: options.loss)
        let discriminating = adversarial.flatMap { $0.isActive(atStep: step) ? $0 : nil }
        var decodedGenerated: Variable?
        if let discriminating {
            let term = discriminating.generatorTerm(forward.reconstruction)
            terms.total = terms.total + term
            terms.parts.append((name: "adversarial", value: Double(term.value.scalarValue)))
            if let pool = generatedLatents, let perStep = options.generatedLatents?.perStep {
                // No target for these: the discriminator's judgement is their only term.
                let decoded = model.decode(Variable(pool.batch(step: step, size: perStep, seed: options.seed)))
                let generatedTerm = discriminating.generatorTerm(decoded)
                terms.total = terms.total + generatedTerm
                terms.parts.append((name: "adversarial_generated", value: Double(generatedTerm.value.scalarValue)))
                decodedGenerated = decoded
            }
        }
        let loss = Double(terms.total.value.scalarValue)
        guard loss.isFinite else {
            throw TrainAEError("training diverged at step \(step): the loss is \(loss); resume from the last checkpoint with a lower --lr")
        }
        let psnr = ImageQuality.psnr(forward.reconstruction.value, images)
        terms.total.backward()
        let norm = options.clipNorm > 0 ? optimizer.clipGradientNorm(maxNorm: options.clipNorm)
            : globalGradientNorm(model.parameters)
        let skipped = !norm.isFinite
        if skipped {
            optimizer.zeroGradients()
        } else {
            optimizer.step()
            ema?.update(step: step)
        }
        var partValues = Dictionary(uniqueKeysWithValues: terms.parts.map { ($0.name, $0.value) })
        if let discriminating {
            // On this batch's reconstructions from before the autoencoder's update, as VQGAN does.
            var fake = forward.reconstruction.value
            if let decodedGenerated { fake = Tensor.concatenatingRows([fake, decodedGenerated.value]) }
            partValues["discriminator_hinge"] = discriminating.trainDiscriminator(real: images, fake: fake)
        }
        var perplexity: [Double] = []
        if forward.levelsUsed > 0 {
            let levels = model.config.quantizer.levels
            var usage = CodeUsage(levels: levels, codebookSize: model.config.quantizer.codebookSize)
            usage.add(codes: forward.codes, count: images.shape[0], levels: levels)
            perplexity = (0..<levels).map { usage.perplexity(level: $0) }
        }
        let record = TrainAEStepRecord(
            step: step, epoch: batch.position.epoch, loss: loss,
            terms: partValues,
            psnr: psnr.reduce(0, +) / Double(max(psnr.count, 1)), learningRate: rate, gradientNorm: norm,
            levels: forward.levelsUsed, perplexity: perplexity, restarts: forward.restartedCodes,
            stepSeconds: 0, imagesPerSecond: 0, elapsed: 0, skipped: skipped)
        step += 1
        position = batch.next
        return record
    }

    /// Runs `body` with the weights that are evaluated and saved: the EMA averages if enabled.
    func withEvaluationWeights<R>(_ body: () throws -> R) rethrows -> R {
        guard let ema else { return try body() }
        return try ema.withAveragedParameters(body)
    }

    // MARK: Checkpoints

    func saveCheckpoint(to url: URL, imageSize: Int) throws {
        let info = TrainAECheckpointInfo(options: options.trajectoryKey, imageSize: imageSize, position: position,
                                         horizon: horizon, trainingSeconds: trainingSeconds,
                                         discriminatorSteps: adversarial?.steps)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let userInfo = String(decoding: try encoder.encode(info), as: UTF8.self)
        var checkpoint = TrainingCheckpoint(step: step, parameters: model.namedParameters(), optimizer: optimizer, ema: ema,
                                            schedule: schedule, generators: [Self.generatorName: generator], userInfo: userInfo)
        for (name, value) in model.quantizer.buffers() { checkpoint.parameters[name] = value }
        adversarial?.save(into: &checkpoint.parameters)
        try checkpoint.save(to: url)
    }

    /// The step of a checkpoint file, for messages (nil if it cannot be read).
    static func checkpointStep(_ url: URL) -> Int? {
        (try? SafetensorsFile.read(from: url)).flatMap { $0.metadata["step"] }.flatMap { Int($0) }
    }

    /// Restores everything from a checkpoint written by `saveCheckpoint`; the trajectory options
    /// and the image size must be those of this trainer.
    func restore(from url: URL, imageSize: Int) throws {
        var checkpoint = try TrainingCheckpoint.load(from: url)
        let info: TrainAECheckpointInfo
        do {
            info = try JSONDecoder().decode(TrainAECheckpointInfo.self, from: Data(checkpoint.userInfo.utf8))
        } catch {
            throw FileFormatError(.malformed, path: url.path, "not a train-ae checkpoint (its user information does not decode: \(error))")
        }
        guard info.imageSize == imageSize else {
            throw TrainAEError("\(url.path): the checkpoint was trained on \(info.imageSize) px images, the dataset has \(imageSize) px")
        }
        let saved = info.options, current = options.trajectoryKey
        guard saved == current else {
            throw TrainAEError("\(url.path): the checkpoint was made with other training options "
                + "(\(Self.differences(saved, current).joined(separator: "; "))); resume with the same options, or --restart")
        }
        if let adversarial {
            try adversarial.restore(from: &checkpoint.parameters, steps: info.discriminatorSteps ?? 0, source: url.path)
        }
        let bufferNames = Set(model.quantizer.bufferNames())
        let buffers = checkpoint.parameters.filter { bufferNames.contains($0.key) }
        checkpoint.parameters = checkpoint.parameters.filter { !bufferNames.contains($0.key) }
        try checkpoint.restore(parameters: model.namedParameters(), optimizer: optimizer, ema: ema)
        try model.quantizer.loadBuffers(buffers, source: url.path)
        generator = try checkpoint.generator(Self.generatorName)
        step = checkpoint.step
        position = info.position
        trainingSeconds = info.trainingSeconds
        if info.horizon > 0 { setHorizon(info.horizon) }
    }

    /// Names of the options that differ, with both values, from their JSON forms.
    static func differences(_ a: TrainAEOptions, _ b: TrainAEOptions) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let da = try? JSONSerialization.jsonObject(with: encoder.encode(a)) as? [String: Any],
              let db = try? JSONSerialization.jsonObject(with: encoder.encode(b)) as? [String: Any] else { return ["?"] }
        return Set(da.keys).union(db.keys).sorted().compactMap { key in
            if let va = da[key] as? NSObject, let vb = db[key] as? NSObject, va.isEqual(vb) { return nil }
            return "\(key): checkpoint \(da[key].map { "\($0)" } ?? "none"), now \(db[key].map { "\($0)" } ?? "none")"
        }
    }
}

/// A failure of the autoencoder stage, with a message that says what to do.
public struct TrainAEError: Error, CustomStringConvertible, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
