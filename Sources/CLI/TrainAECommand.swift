import ArgumentParser
import Datasets
import Foundation
import Pipeline

/// `pipeline train-ae`: train the RVQ autoencoder on the prepared dataset cache, then evaluate it
/// on held-out images.
struct TrainAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-ae",
        abstract: "Train the RVQ autoencoder (128×128×3 → 16×16×4).",
        discussion: """
            Trains on the dataset cache of `pipeline prepare` (artifacts/<run>/dataset), writes \
            artifacts/<run>/autoencoder: model.safetensors, checkpoint.safetensors, metrics.jsonl, \
            reconstruction grids, evaluation.json and manifest.json. Ctrl-C saves a checkpoint; \
            --resume continues exactly. The evaluation (PSNR, SSIM, code usage) runs on held-out \
            images after training, or alone with --evaluate-only.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = TrainAEOptions()

    @Option(name: .customLong("run"), help: "Run name: the folder under --artifacts.")
    var runName = "default"

    @Option(help: ArgumentHelp("Folder of the runs.", valueName: "dir"))
    var artifacts = "artifacts"

    @Option(help: ArgumentHelp("Dataset cache folder (default: <artifacts>/<run>/dataset).", valueName: "dir"))
    var dataset: String?

    @Option(help: "Optimizer steps in all (the horizon of the cosine decay).")
    var steps: Int?

    @Option(help: "Minutes of training in all sessions together (a resumed run trains what is left); alone, the step count is planned from the speed of the recent steps and revised as it goes.")
    var minutes: Double?

    @Option(help: "Multiplies the backbone's widths (64/128/128); e.g. 0.25 for a quick small network.")
    var widthScale = Self.defaults.widthScale

    @Option(help: "Quantizer levels.")
    var levels = Self.defaults.levels

    @Option(help: "Codes per quantizer level.")
    var codebookSize = Self.defaults.codebookSize

    @Option(help: "Images per batch.")
    var batchSize = Self.defaults.batchSize

    @Option(name: .customLong("lr"), help: "Peak learning rate (AdamW, after a linear warm-up, then cosine decay).")
    var learningRate = Self.defaults.learningRate

    @Option(help: "Learning-rate warm-up steps.")
    var warmupSteps = Self.defaults.warmupSteps

    @Option(help: "AdamW weight decay.")
    var weightDecay = Self.defaults.weightDecay

    @Option(help: "Gradient-norm clipping (0: off).")
    var clipNorm = Self.defaults.clipNorm

    @Option(help: "Decay of the EMA of the weights that are evaluated and saved (0: no EMA).")
    var emaDecay = Self.defaults.emaDecay ?? 0

    @Option(help: "Weight of the L1 reconstruction loss.")
    var l1Weight = TrainAEOptions().loss.l1Weight

    @Option(help: "Weight of the MSE reconstruction loss (the default loss).")
    var mseWeight = TrainAEOptions().loss.mseWeight

    @Option(help: "Weight of the multi-scale gradient-domain (sharpness) loss (0: off).")
    var gradientWeight = TrainAEOptions().loss.gradientWeight
    @Option(help: "Weight of the PatchGAN hinge term (0: off, the default; VQGAN-style sharpness at the cost of speed).")
    var adversarialWeight = 0.0
    @Option(help: "Step from which the discriminator trains and its term is added.")
    var adversarialStart = AdversarialOptions().startStep
    @Option(help: "Channels of the discriminator's first layer (doubling per stride-2 layer).")
    var discriminatorBase = AdversarialOptions().discriminator.base
    @Option(help: "Stride-2 layers of the discriminator: 3 judges 70-px patches (pix2pix), 2 34-px, 1 16-px ones (finer texture only).")
    var discriminatorDownsamplings = AdversarialOptions().discriminator.downsamplings
    @Option(help: "Learning rate of the discriminator (AdamW, betas 0.5 and 0.9).")
    var discriminatorLr = AdversarialOptions().learningRate

    @Option(help: "β of the commitment loss.")
    var commitment = Self.defaults.quantizer.commitmentWeight

    @Option(help: "Probability that a batch is decoded from a random number of quantizer levels.")
    var quantizerDropout = Self.defaults.quantizer.dropoutProbability

    @Option(help: "Steps trained on continuous latents before the codebooks start (by k-means).")
    var quantizerStart = Self.defaults.quantizerStartStep

    @Option(name: .customLong("finetune-decoder"),
            help: ArgumentHelp("Train only the decoder of this trained autoencoder (its encoder and codebooks are copied "
                               + "and frozen, so its latents and the flows trained on them stay valid): e.g. a sharper "
                               + "decoder with --adversarial-weight.", valueName: "model.safetensors"))
    var finetuneDecoder: String?
    @Option(help: ArgumentHelp("With --finetune-decoder and --adversarial-weight: latents a flow generated (`pipeline "
                               + "generate --latents-only`) whose decoded pictures the discriminator also judges, so the "
                               + "decoder learns to draw the flow's samples, not only the encoder's latents.",
                               valueName: "latents.safetensors"))
    var generatedLatents: String?
    @Option(help: "Generated latents decoded and judged per step (with --generated-latents).")
    var generatedPerStep = GeneratedLatentOptions(path: "").perStep

    // Commas or separate words, so a YAML list from `pipeline run` arrives intact.
    @Option(parsing: .upToNextOption, help: "Training subsets, comma-separated (train, validation, test).")
    var trainSubsets = [Self.defaults.trainSubsets.map(\.description).joined(separator: ",")]

    @Option(help: "Held-out subset for the evaluation (never trained on).")
    var evalSubset = Self.defaults.evaluationSubset.description

    @Option(help: "Held-out images to evaluate (default: all).")
    var evalImages: Int?

    @Flag(help: "No random crops and flips.")
    var noAugment = false

    @Option(help: "Seed of the weights, the batch order and the quantizer's random choices.")
    var seed: UInt64 = 0

    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = Self.defaults.checkpointEvery

    @Option(help: "Steps between reconstruction grids (0: only at the end).")
    var gridEvery = Self.defaults.gridEvery

    @Flag(help: "Continue from the stage's checkpoint.")
    var resume = false

    @Flag(help: "Discard the stage's checkpoint and outputs and start over.")
    var restart = false

    @Flag(help: "Only evaluate the saved model on the held-out images.")
    var evaluateOnly = false

    @Option(help: ArgumentHelp("With --evaluate-only: also write the reconstructions (all levels) as PNG files here.",
                               valueName: "dir"))
    var saveReconstructions: String?

    @OptionGroup var runtime: ThreadsOption

    func options() throws -> TrainAEOptions {
        var o = TrainAEOptions()
        o.run = runName
        o.artifacts = artifacts
        o.dataset = dataset
        o.steps = steps
        o.minutes = minutes
        o.widthScale = widthScale
        o.levels = levels
        o.codebookSize = codebookSize
        o.batchSize = batchSize
        o.learningRate = learningRate
        o.warmupSteps = warmupSteps
        o.weightDecay = weightDecay
        o.clipNorm = clipNorm
        o.emaDecay = emaDecay > 0 ? emaDecay : nil
        o.loss.l1Weight = l1Weight
        o.loss.mseWeight = mseWeight
        o.loss.gradientWeight = gradientWeight
        if adversarialWeight != 0 {
            var adversarial = AdversarialOptions()
            adversarial.weight = adversarialWeight
            adversarial.startStep = adversarialStart
            adversarial.discriminator.base = discriminatorBase
            adversarial.discriminator.downsamplings = discriminatorDownsamplings
            adversarial.learningRate = discriminatorLr
            o.adversarial = adversarial
        }
        o.quantizer.commitmentWeight = commitment
        o.quantizer.dropoutProbability = quantizerDropout
        o.quantizerStartStep = quantizerStart
        o.decoderFineTuneSource = finetuneDecoder
        o.generatedLatents = generatedLatents.map { GeneratedLatentOptions(path: $0, perStep: generatedPerStep) }
        o.trainSubsets = try SubsetListOption.parse(trainSubsets, option: "--train-subsets")
        guard let held = DatasetSubset(subsetName: evalSubset) else {
            throw ValidationError("--eval-subset: unknown subset '\(evalSubset)' (train, validation, test)")
        }
        o.evaluationSubset = held
        o.evaluationImages = evalImages
        o.augment = !noAugment
        o.seed = seed
        o.checkpointEvery = checkpointEvery
        o.gridEvery = gridEvery
        o.resume = resume
        o.restart = restart
        return o
    }

    func validate() throws {
        let o = try options()
        if let problem = o.problems.first { throw ValidationError(problem) }
        if saveReconstructions != nil && !evaluateOnly {
            throw ValidationError("--save-reconstructions goes with --evaluate-only")
        }
        if !evaluateOnly && steps == nil && minutes == nil {
            throw ValidationError("give a budget: --steps N and/or --minutes M")
        }
    }

    func run() throws {
        let o = try options()
        if evaluateOnly {
            try TrainAEStage.evaluateSaved(o, reconstructionsFolder: saveReconstructions.map {
                URL(fileURLWithPath: $0).standardizedFileURL
            })
            return
        }
        let stop = StopSignal.shared
        try TrainAEStage.run(o, shouldStop: { stop.stopRequested })
    }
}
