import ArgumentParser
import DataParallel
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

    @OptionGroup var folders: RunFolderOptions

    @Option(help: ArgumentHelp("Dataset cache folder (default: <artifacts>/<run>/dataset).", valueName: "dir"))
    var dataset: String?

    @OptionGroup var budget: TrainingBudgetOptions

    @Option(help: "Multiplies the backbone's widths (64/128/128); e.g. 0.25 for a quick small network.")
    var widthScale = Self.defaults.widthScale

    @Option(help: "Quantizer levels.")
    var levels = Self.defaults.levels

    @Option(help: "Codes per quantizer level.")
    var codebookSize = Self.defaults.codebookSize

    @Option(help: "Images per batch.")
    var batchSize = Self.defaults.batchSize

    @OptionGroup var optimizer: OptimizerOptions<AutoencoderOptimizerDefaults>

    @Option(help: "Weight of the L1 reconstruction loss.")
    var l1Weight = Self.defaults.loss.l1Weight

    @Option(help: "Weight of the MSE reconstruction loss (the default loss).")
    var mseWeight = Self.defaults.loss.mseWeight

    @Option(help: "Weight of the multi-scale gradient-domain (sharpness) loss (0: off).")
    var gradientWeight = Self.defaults.loss.gradientWeight
    @Option(
        help: "Weight of the PatchGAN hinge term (0: off, the default; VQGAN-style sharpness at the cost of speed).")
    var adversarialWeight = Self.defaults.adversarial?.weight ?? 0
    @Option(help: "Step from which the discriminator trains and its term is added.")
    var adversarialStart = AdversarialOptions().startStep
    @Option(help: "Channels of the discriminator's first layer (doubling per stride-2 layer).")
    var discriminatorBase = AdversarialOptions().discriminator.base
    @Option(
        help:
            "Stride-2 layers of the discriminator: 3 judges 70-px patches (pix2pix), 2 34-px, 1 16-px ones (finer texture only)."
    )
    var discriminatorDownsamplings = AdversarialOptions().discriminator.downsamplings
    @Option(help: "Learning rate of the discriminator (AdamW, betas 0.5 and 0.9).")
    var discriminatorLr = AdversarialOptions().learningRate

    @Option(help: "β of the commitment loss.")
    var commitment = Self.defaults.quantizer.commitmentWeight

    @Option(help: "Probability that a batch is decoded from a random number of quantizer levels.")
    var quantizerDropout = Self.defaults.quantizer.dropoutProbability

    @Option(help: "Steps trained on continuous latents before the codebooks start (by k-means).")
    var quantizerStart = Self.defaults.quantizerStartStep

    @Option(
        name: .customLong("finetune-decoder"),
        help: ArgumentHelp(
            "Train only the decoder of this trained autoencoder (its encoder and codebooks are copied "
                + "and frozen, so its latents and the flows trained on them stay valid): e.g. a sharper "
                + "decoder with --adversarial-weight.", valueName: "model.safetensors"))
    var finetuneDecoder: String?
    @Option(
        help: ArgumentHelp(
            "With --finetune-decoder and --adversarial-weight: latents a flow generated (`pipeline "
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
    var noAugment = !Self.defaults.augment

    @Option(help: "Seed of the weights, the batch order and the quantizer's random choices.")
    var seed = Self.defaults.seed

    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = Self.defaults.checkpointEvery

    @Option(help: "Steps between reconstruction grids (0: only at the end).")
    var gridEvery = Self.defaults.gridEvery

    @Flag(help: "Only evaluate the saved model on the held-out images.")
    var evaluateOnly = false

    @Option(
        help: ArgumentHelp(
            "With --evaluate-only: also write the reconstructions (all levels) as PNG files here.",
            valueName: "dir"))
    var saveReconstructions: String?

    @OptionGroup var runtime: ThreadsOption

    func options() throws -> TrainAEOptions {
        var o = TrainAEOptions()
        o.run = folders.runName
        o.artifacts = folders.artifacts
        o.dataset = dataset
        o.steps = budget.steps
        o.minutes = budget.minutes
        o.widthScale = widthScale
        o.levels = levels
        o.codebookSize = codebookSize
        o.batchSize = batchSize
        o.learningRate = optimizer.learningRate
        o.warmupSteps = optimizer.warmupSteps
        o.weightDecay = optimizer.weightDecay
        o.clipNorm = optimizer.clipNorm
        o.emaDecay = optimizer.emaDecayIfOn
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
        o.resume = budget.resume
        o.restart = budget.restart
        return o
    }

    func validate() throws {
        let o = try options()
        if let problem = o.problems.first { throw ValidationError(problem) }
        if saveReconstructions != nil && !evaluateOnly {
            throw ValidationError("--save-reconstructions goes with --evaluate-only")
        }
        if !evaluateOnly && !budget.hasBudget {
            throw ValidationError("give a budget: --steps N and/or --minutes M")
        }
    }

    func run() throws {
        let o = try options()
        if evaluateOnly {
            // Evaluation is not training: under a launcher rank 0 evaluates alone, without MPI,
            // and the other ranks leave at once (N of them would write the same files).
            let environment = ProcessInfo.processInfo.environment
            if case .mpi(let variable, _) = LaunchEnvironment.detect(environment) {
                guard let rank = LaunchEnvironment.launchedRank(environment) else {
                    throw CLIError(
                        "train-ae --evaluate-only under an MPI launcher (\(variable) is set) needs the rank in one of "
                            + LaunchEnvironment.rankVariables.joined(separator: ", ") + "; start it without mpirun")
                }
                if rank != 0 { return }
            }
            try TrainAEStage.evaluateSaved(
                o,
                reconstructionsFolder: saveReconstructions.map {
                    URL(fileURLWithPath: $0).standardizedFileURL
                })
            return
        }
        let stop = StopSignal.shared
        try TrainAEStage.run(o, shouldStop: { stop.stopRequested })
    }
}
