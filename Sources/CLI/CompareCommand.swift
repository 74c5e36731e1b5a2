import ArgumentParser
import Datasets
import Foundation
import LatentFlow
import Pipeline

/// `pipeline compare`: the latent model against the pixel baseline at equal training budget.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Latent versus pixel flow at equal compute: a report with grids, metrics and curves.",
        discussion: """
            Uses <artifacts>/<run>/flow (latent) and pixel-flow (pixel): a model with a complete manifest is \
            reused, otherwise it is trained with --minutes M (the same for both, over all sessions: an \
            interrupted one is resumed and trains what is left of M). A complete model trained to another \
            budget than --minutes/--train-steps is refused, not compared as if equal. Both are sampled with the same --count, --sampler, --steps, --seed and \
            --guidance into samples/ and pixel-samples/ (existing samples are reused only if drawn from the same \
            model with the same settings), evaluated against the held-out real images into reports/evaluate and \
            reports/evaluate-pixel, and compared in reports/compare: report.md, report.html, report.json, \
            loss.svg, swd.svg and the two grids.

            With --variants LIST (cosine-path, uniform-time, ot, no-ema; baseline always included) it runs \
            ablations of the flow trainer instead: each variant is the baseline (linear path, logit-normal time, \
            no OT, EMA on) with one option flipped, trained with --seeds N seeds at the same budget into \
            ablations/<variant>/seed-<k>/, sampled and evaluated as above, and tabulated with mean ± spread over \
            seeds and the paired difference to the baseline in reports/ablations.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = CompareStage.Options()

    @OptionGroup var folders: RunFolderOptions
    @Option(
        help: ArgumentHelp(
            "Report folder (default: <artifacts>/<run>/reports/compare, or reports/ablations with --variants).",
            valueName: "dir"))
    var output: String?

    @Option(help: "Training budget per model in minutes (over all sessions; a trained model must match it).")
    var minutes: Double?
    @Option(help: "Training budget per model in steps (with or instead of --minutes).")
    var trainSteps: Int?
    @Option(help: "Batch size of a latent model trained here (default 64).")
    var latentBatchSize: Int?
    @Option(help: "Batch size of a pixel model trained here (default 16).")
    var pixelBatchSize: Int?
    @Option(help: "Seed of the weights etc. of a model trained here.")
    var trainSeed: UInt64 = 0

    @Option(help: "Samples per model.")
    var count = Self.defaults.count
    @Option(
        parsing: .upToNextOption,
        help:
            "Classes of the samples (as generate takes them); default: all, in turn, like the class-balanced held-out images."
    )
    var classes = CompareStage.Options().classes
    @Option(help: "Seed of the noise and of the evaluation.")
    var seed = Self.defaults.seed
    @OptionGroup var sampling: SamplerOptions
    @OptionGroup var guidance: GuidanceOptions
    @Option(help: "Largest network batch when sampling.")
    var batchSize: Int?
    @Option(
        help: ArgumentHelp(
            "Autoencoder that decodes the latent samples (default: <artifacts>/<run>/autoencoder/model.safetensors), e.g. a fine-tuned decoder.",
            valueName: "file"))
    var autoencoder: String?
    @Option(help: "At most this many images per set in the evaluation.")
    var evalMaxImages: Int?
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Held-out subsets of the dataset cache used as real images.", valueName: "subset"))
    var realSubset = Self.defaults.realSubsets.map(\.description).sorted()

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Ablations instead of latent versus pixel: cosine-path, uniform-time, ot, no-ema (commas or words; baseline always included).",
            valueName: "variant"))
    var variants: [String] = []
    @Option(help: "Ablations: training seeds per variant (0..<N, training and data seed).")
    var seeds: Int?
    @Option(help: "Ablations: the space the variants are trained in (latent or pixel).")
    var variantSpace: TrainFlowStage.Space?

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        _ = try SubsetListOption.parse(realSubset, option: "--real-subset")
        if variants.isEmpty {
            if seeds != nil || variantSpace != nil {
                throw ValidationError("--seeds and --variant-space need --variants")
            }
            return
        }
        do { _ = try AblationVariant.parse(variants) } catch let error as StageError {
            throw ValidationError(error.message)
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
    }

    func ablationOptions() throws -> AblationStage.Options {
        var ablations = AblationStage.Options()
        ablations.compare = try options()
        ablations.variants = try AblationVariant.parse(variants)
        ablations.seeds = seeds ?? 2
        ablations.space = variantSpace ?? .latent
        return ablations
    }

    func options() throws -> CompareStage.Options {
        var options = CompareStage.Options()
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.output = output
        options.minutes = minutes
        options.steps = trainSteps
        options.count = count
        options.classes = classes
        options.seed = seed
        options.sampler = sampling.settings
        options.guidance = guidance.scale
        options.guidanceInterval = try guidance.interval()
        options.maximumBatch = batchSize
        options.autoencoder = autoencoder
        options.evaluationMaxImages = evalMaxImages
        options.realSubsets = Set(try SubsetListOption.parse(realSubset, option: "--real-subset"))
        options.latentTraining.batchSize = latentBatchSize
        options.pixelTraining.batchSize = pixelBatchSize
        options.latentTraining.training.seed = trainSeed
        options.pixelTraining.training.seed = trainSeed
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        do {
            if variants.isEmpty {
                try CompareStage.run(options(), shouldStop: { stop.stopRequested })
            } else {
                try AblationStage.run(try ablationOptions(), shouldStop: { stop.stopRequested })
            }
        } catch let error as StageInterrupted {
            // Exits with status 130 (PipelineMain sees the stop request).
            print("stopped: \(error.message)")
        }
    }
}
