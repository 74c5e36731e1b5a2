import Datasets
import Foundation
import VQVAE

/// Everything `pipeline train-ae` can be told: where the data and outputs are, the network,
/// the budget, the optimisation and the cadence of logs, grids and checkpoints.
public struct TrainAEOptions: Codable, Equatable, Sendable {
    // MARK: Places
    public var run = ArtifactFolders.defaultRun
    /// Folder holding the run folders.
    public var artifacts = ArtifactFolders.defaultArtifacts
    /// The prepared dataset cache; nil: `<artifacts>/<run>/dataset`.
    public var dataset: String?

    // MARK: Network
    /// Multiplies every width of the default (`aelite`) backbone; 0.125 is a tiny test network.
    public var widthScale = 1.0
    public var levels = 4
    public var codebookSize = 256
    /// The rest of the quantizer's settings (levels, size and dimension are taken from above and
    /// from the backbone).
    public var quantizer = QuantizerConfig()

    // MARK: Budget
    /// Optimizer steps in all (also the horizon of the cosine decay). With only `minutes`, the
    /// horizon is estimated from the speed of the first steps.
    public var steps: Int?
    /// Minutes of training over all sessions (a resumed run trains what is left; the final
    /// evaluation comes on top).
    public var minutes: Double?

    // MARK: Optimisation
    public var batchSize = 16
    public var learningRate = 1e-3
    /// Learning rate at the end of the cosine decay, as a fraction of the peak.
    public var finalLearningRateFraction = 0.05
    public var warmupSteps = 100
    public var weightDecay = 1e-4
    public var beta2 = 0.99
    /// Global gradient-norm clipping (0: off).
    public var clipNorm = 1.0
    /// Decay of the exponential moving average of the weights that are evaluated and saved (nil: off).
    public var emaDecay: Double? = 0.995
    public var loss = AutoencoderLossConfig()
    /// The optional PatchGAN term (nil: off, the default).
    public var adversarial: AdversarialOptions?
    /// Steps trained without the quantizer (continuous latents) before the codebooks are started
    /// by k-means on the latents of that moment.
    public var quantizerStartStep = 0
    /// Batches whose latents the k-means start clusters.
    public var kmeansBatches = 4
    /// A trained autoencoder (`model.safetensors`) whose decoder alone is trained on: its encoder
    /// and codebooks are copied and frozen, so the latents, the latent cache and the flows trained
    /// on them stay valid while the decoder learns to draw sharper images (nil: train everything).
    public var decoderFineTuneSource: String?
    /// Latents a flow generated, which the discriminator of a decoder fine-tune also judges
    /// (nil: off; see `GeneratedLatentOptions`).
    public var generatedLatents: GeneratedLatentOptions?

    // MARK: Data
    public var trainSubsets: [DatasetSubset] = [.train, .test]
    /// Held out: evaluated, never trained on.
    public var evaluationSubset: DatasetSubset = .validation
    /// Random crops from the stored margin and random flips.
    public var augment = true
    public var seed: UInt64 = 0

    // MARK: Cadence
    public var checkpointEvery = 250
    public var gridEvery = 250
    /// Held-out images in the final evaluation (nil: all of them).
    public var evaluationImages: Int?

    // MARK: Starting
    /// Continue from the stage's checkpoint.
    public var resume = false
    /// Discard an existing checkpoint and start over.
    public var restart = false

    public init() {}

    /// The problems of these options, empty when they are usable.
    public var problems: [String] {
        var result: [String] = []
        if run.isEmpty || run.contains("/") || run.hasPrefix(".") {
            result.append("--run must be a plain folder name, got \"\(run)\"")
        }
        if !(widthScale > 0 && widthScale <= 8) { result.append("--width-scale must be in (0, 8], got \(widthScale)") }
        if let steps, steps < 1 { result.append("--steps must be positive, got \(steps)") }
        if let minutes, !(minutes > 0) { result.append("--minutes must be positive, got \(minutes)") }
        if batchSize < 1 { result.append("--batch-size must be positive, got \(batchSize)") }
        if !(learningRate > 0 && learningRate.isFinite) { result.append("--lr must be positive, got \(learningRate)") }
        if !(finalLearningRateFraction >= 0 && finalLearningRateFraction <= 1) {
            result.append("the final learning-rate fraction must be in [0, 1], got \(finalLearningRateFraction)")
        }
        if warmupSteps < 0 { result.append("--warmup-steps must be non-negative, got \(warmupSteps)") }
        if !(weightDecay >= 0) { result.append("--weight-decay must be non-negative, got \(weightDecay)") }
        if !(beta2 > 0 && beta2 < 1) { result.append("beta2 must be in (0, 1), got \(beta2)") }
        if !(clipNorm >= 0) { result.append("--clip-norm must be non-negative, got \(clipNorm)") }
        if let emaDecay, !(emaDecay > 0 && emaDecay < 1) {
            result.append("--ema-decay must be in (0, 1), got \(emaDecay)")
        }
        if quantizerStartStep < 0 { result.append("--quantizer-start must be non-negative, got \(quantizerStartStep)") }
        if decoderFineTuneSource != nil && quantizerStartStep > 0 {
            result.append("--finetune-decoder starts from trained codebooks; --quantizer-start does not apply")
        }
        if generatedLatents != nil && (decoderFineTuneSource == nil || adversarial == nil) {
            result.append(
                "--generated-latents trains the decoder adversarially on a flow's samples: it needs --finetune-decoder and --adversarial-weight"
            )
        }
        if let generatedLatents, generatedLatents.perStep < 1 {
            result.append("--generated-per-step must be positive, got \(generatedLatents.perStep)")
        }
        if kmeansBatches < 1 { result.append("--kmeans-batches must be positive, got \(kmeansBatches)") }
        if trainSubsets.isEmpty { result.append("at least one training subset is needed") }
        if trainSubsets.contains(evaluationSubset) {
            result.append("the evaluation subset \(evaluationSubset) must not be trained on")
        }
        if checkpointEvery < 1 { result.append("--checkpoint-every must be positive, got \(checkpointEvery)") }
        if gridEvery < 0 { result.append("--grid-every must be non-negative, got \(gridEvery)") }
        if let evaluationImages, evaluationImages < 1 {
            result.append("--eval-images must be positive, got \(evaluationImages)")
        }
        if resume && restart { result.append("--resume and --restart exclude each other") }
        result += loss.problems
        result += adversarial?.problems ?? []
        var quantizer = self.quantizer
        quantizer.levels = levels
        quantizer.codebookSize = codebookSize
        result += quantizer.problems
        return result
    }

    /// The model these options describe for images of `imageSize`.
    public func modelConfig(imageSize: Int) -> RVQAutoencoderConfig {
        let backbone = AutoencoderConfig().scaled(widths: widthScale)
        var quantizer = self.quantizer
        quantizer.levels = levels
        quantizer.codebookSize = codebookSize
        quantizer.dimension = backbone.latentChannels
        return RVQAutoencoderConfig(autoencoder: backbone, quantizer: quantizer, imageSize: imageSize)
    }

    /// The options that shape the training trajectory: a resumed run must agree on them.
    /// (Budget, cadence and the resume flags may change between invocations.)
    var trajectoryKey: TrainAEOptions {
        var key = self
        key.run = ""
        key.artifacts = ""
        key.dataset = nil
        key.steps = nil
        key.minutes = nil
        key.checkpointEvery = 0
        key.gridEvery = 0
        key.evaluationImages = nil
        key.resume = false
        key.restart = false
        return key
    }

    // MARK: Folders

    /// `<artifacts>/<run>` resolved against `base`.
    public func runFolder(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        let root = artifacts.hasPrefix("/") ? URL(fileURLWithPath: artifacts) : base.appendingPathComponent(artifacts)
        return root.appendingPathComponent(run).standardizedFileURL
    }

    /// The dataset cache folder.
    public func datasetFolder(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        if let dataset { return ArtifactFolders.resolve(dataset, base: base) }
        return runFolder(base: base).appendingPathComponent(ArtifactFolders.dataset)
    }

    /// The autoencoder whose decoder is fine-tuned, resolved against `base` (nil: none).
    public func decoderFineTuneURL(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        decoderFineTuneSource.map { ArtifactFolders.resolve($0, base: base) }
    }

    /// The generated latents the discriminator also judges, resolved against `base` (nil: none).
    public func generatedLatentsURL(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL?
    {
        generatedLatents.map { ArtifactFolders.resolve($0.path, base: base) }
    }

    /// The stage folder: `<artifacts>/<run>/autoencoder`, or `<artifacts>/<run>/decoder` for a
    /// decoder fine-tune, so that a run holds both and `pipeline run` can make one from the other.
    public func stageFolder(base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL {
        runFolder(base: base).appendingPathComponent(
            decoderFineTuneSource == nil ? TrainAEStage.folderName : TrainAEStage.decoderFolderName)
    }
}

/// `train-ae --generated-latents`: latents a flow generated (`pipeline generate --latents-only`).
/// With a decoder fine-tune and the adversarial term, the discriminator also judges the decoder's
/// pictures of these, so the decoder learns to draw the latents it will be given, not only the
/// encoder's.
public struct GeneratedLatentOptions: Codable, Equatable, Sendable {
    /// A safetensors or HDF5 file with `latents` [N, C, h, w].
    public var path: String
    /// Generated latents decoded and judged per step, besides the batch of reconstructions.
    public var perStep = 8

    public init(path: String, perStep: Int = 8) {
        self.path = path
        self.perStep = perStep
    }
}

extension DatasetSubset {
    /// A subset from its name ("train", "validation"/"val", "test").
    public init?(subsetName name: String) {
        switch name.lowercased() {
        case "train": self = .train
        case "validation", "val", "valid": self = .validation
        case "test": self = .test
        default: return nil
        }
    }
}
