import ArgumentParser
import Datasets
import Foundation
import LatentFlow
import Pipeline

extension TrainFlowStage.Space: ExpressibleByArgument {}
extension LatentCache.Kind: ExpressibleByArgument {}
extension FlowPath: ExpressibleByArgument {}

/// `pipeline train-flow`: flow matching on the latent cache (or on pixels with --space pixel).
struct TrainFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-flow",
        abstract: "Train a flow-matching model on latents (or on pixels with --space pixel).",
        discussion: """
            Writes checkpoint.safetensors (every --checkpoint-every steps and on Ctrl-C), metrics.jsonl, \
            model.safetensors (EMA weights + data statistics) and manifest.json into \
            <artifacts>/<run>/flow (pixel-flow for --space pixel). --resume continues exactly where the \
            checkpoint stopped, with the checkpoint's settings. Every --eval-every steps and at the end, a \
            fixed batch of samples from the EMA weights is scored by SWD against held-out images (an \
            "eval" line in metrics.jsonl); evaluation time does not count against --minutes.
            """)

    enum TimeDistribution: String, ExpressibleByArgument, CaseIterable {
        case uniform
        case logitNormal = "logit-normal"
        init(_ distribution: TimeSampling.Distribution) {
            switch distribution {
            case .uniform: self = .uniform
            case .logitNormal: self = .logitNormal
            }
        }
    }

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = TrainFlowStage.Options()

    @Option(help: "Data space: latent (the latent cache) or pixel (the dataset's images).")
    var space = Self.defaults.space
    @OptionGroup var folders: RunFolderOptions
    @Option(help: ArgumentHelp("Latent cache folder (default: <artifacts>/<run>/latents).", valueName: "dir"))
    var latents: String?
    @Option(
        help: ArgumentHelp(
            "Dataset cache folder: the images for --space pixel, and the held-out evaluation images (default: <artifacts>/<run>/dataset).",
            valueName: "dir"))
    var dataset: String?
    @Option(
        help: ArgumentHelp(
            "Latent space: the autoencoder the latent cache was made with, to decode evaluation samples (default: <artifacts>/<run>/autoencoder/model.safetensors).",
            valueName: "file"))
    var autoencoder: String?
    @Option(help: ArgumentHelp("Output folder (default: <artifacts>/<run>/flow or pixel-flow).", valueName: "dir"))
    var output: String?

    @OptionGroup var budget: TrainingBudgetOptions
    @Option(help: "Save a checkpoint every this many steps.")
    var checkpointEvery = Self.defaults.checkpointEvery
    @Option(help: "Write a metrics line every this many steps.")
    var logEvery = Self.defaults.logEvery
    @Option(
        help:
            "Evaluate every this many steps and at the end: SWD of a fixed batch of samples against held-out images (0: never; default \(TrainFlowStage.defaultEvalEvery))."
    )
    var evalEvery: Int?
    @Option(help: "Samples per evaluation (same noise and classes every time).")
    var evalSamples = Self.defaults.evalSamples
    @Option(help: "Heun steps of the evaluation sampler.")
    var evalSamplerSteps = Self.defaults.evalSamplerSteps
    @Option(help: "Held-out real images in the evaluation's SWD reference.")
    var evalImages = Self.defaults.evalImages

    // Lists take commas or separate words ("train,test" or "train test"), so a YAML list in a
    // `pipeline run` configuration reaches the command intact.
    @Option(
        parsing: .upToNextOption,
        help: "Subsets to train on, comma-separated (train, validation, test); the rest stays held out.")
    var trainSubsets = [Self.defaults.trainSubsets.map(\.description).joined(separator: ",")]
    @Option(help: "Latent space: quantized or continuous latents.")
    var latentKind = Self.defaults.latentKind
    @Flag(
        name: [.customLong("no-augment"), .customLong("no-augmentations")],
        help: "Latent space: ignore the cache's frozen augmentations (as train-ae's --no-augment, no random variants).")
    var noAugmentations = !Self.defaults.useAugmentations
    @Option(help: "Batch size (default: 64 latent, 16 pixel).")
    var batchSize: Int?
    @Option(help: "UNet base width (default: the space's preset, 64 latent, 32 pixel).")
    var base: Int?
    @Option(
        parsing: .upToNextOption,
        help: "UNet width multipliers per level, comma-separated (default: 1,2,2 latent; 1,2,4,8,8 pixel).")
    var multipliers: [String] = []
    @Option(help: "UNet levels with self-attention, counted from the lowest resolution (default 2).")
    var attentionLevels: Int?

    @OptionGroup var optimizer: OptimizerOptions<FlowOptimizerDefaults>
    @Option(help: "Learning rate at the end of the cosine decay.")
    var minLr = Self.defaults.training.minimumLearningRate
    @Option(help: "Length of the cosine decay in steps (default: --steps, or estimated from --minutes).")
    var scheduleSteps: Int?
    @Option(help: "Probability path: linear or cosine.")
    var path = Self.defaults.training.path
    @Option(help: "Time sampling: uniform or logit-normal.")
    var time = TimeDistribution(Self.defaults.training.timeSampling.distribution)
    @Option(help: "Logit-normal mean.")
    var timeMean = Self.defaults.training.timeSampling.logitNormalParameters.mean
    @Option(help: "Logit-normal standard deviation.")
    var timeStd = Self.defaults.training.timeSampling.logitNormalParameters.std
    @Option(help: "Time shift s of t ↦ t/(s − (s−1)t) after sampling (1: none; > 1 favours the noise end).")
    var timeShift = Self.defaults.training.timeSampling.shift
    @Option(help: "Fraction of the times drawn uniformly instead, so the ends of [0, 1] are trained too (0: none).")
    var timeUniformFraction = Self.defaults.training.timeSampling.uniformFraction
    @Flag(
        inversion: .prefixedNo,
        help: "Start every residual branch's last layer and the output convolution at zero (--no-zero-init: random).")
    var zeroInit = Self.defaults.training.zeroInitialisedBranchOutputs == true
    @Flag(help: "Pair noise and data by exact minibatch optimal transport.")
    var ot = Self.defaults.training.optimalTransport
    @Option(help: "Fraction of labels replaced by 'no class' (for classifier-free guidance).")
    var labelDropout = Self.defaults.training.labelDropout
    @Flag(help: "Train without class labels.")
    var unconditional = !Self.defaults.training.conditional
    @Option(help: "Time buckets for the per-time losses in the metrics log.")
    var buckets = Self.defaults.training.timeBuckets
    @Option(help: "Seed of the initial weights, noise, times and label dropout.")
    var seed = Self.defaults.training.seed
    @Option(help: "Seed of the batch order.")
    var dataSeed = Self.defaults.dataSeed

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        if !budget.hasBudget { throw ValidationError("give a budget: --steps N and/or --minutes M") }
    }

    func options() throws -> TrainFlowStage.Options {
        var options = TrainFlowStage.Options()
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.space = space
        options.latents = latents
        options.dataset = dataset
        options.autoencoder = autoencoder
        options.output = output
        options.latentKind = latentKind
        options.useAugmentations = !noAugmentations
        options.batchSize = batchSize
        options.base = base
        if !multipliers.isEmpty {
            options.multipliers = try IntegerListOption.parse(multipliers, option: "--multipliers")
        }
        options.attentionLevels = attentionLevels
        options.steps = budget.steps
        options.minutes = budget.minutes
        options.resume = budget.resume
        options.restart = budget.restart
        options.checkpointEvery = checkpointEvery
        options.logEvery = logEvery
        options.evalEvery = evalEvery
        options.evalSamples = evalSamples
        options.evalSamplerSteps = evalSamplerSteps
        options.evalImages = evalImages
        options.dataSeed = dataSeed
        options.trainSubsets = try SubsetListOption.parse(trainSubsets, option: "--train-subsets")
        var training = Self.defaults.training
        training.learningRate = optimizer.learningRate
        training.minimumLearningRate = minLr
        training.warmupSteps = optimizer.warmupSteps
        training.scheduleSteps = scheduleSteps
        training.weightDecay = optimizer.weightDecay
        training.gradientClip = optimizer.gradientClip
        training.emaDecay = optimizer.emaDecayIfOn
        training.path = path
        training.timeSampling = TimeSampling(
            time == .uniform ? .uniform : .logitNormal(mean: timeMean, std: timeStd), shift: timeShift,
            uniformFraction: timeUniformFraction)
        // Off is recorded as absent, as in every configuration written before the option.
        training.zeroInitialisedBranchOutputs = zeroInit ? true : nil
        training.optimalTransport = ot
        training.labelDropout = labelDropout
        training.conditional = !unconditional
        training.timeBuckets = buckets
        training.seed = seed
        options.training = training
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        try TrainFlowStage.run(try options(), shouldStop: { stop.stopRequested })
    }
}
