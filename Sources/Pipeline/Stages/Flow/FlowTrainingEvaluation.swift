import Datasets
import FileFormats
import Foundation
import ImageMetrics
import LatentFlow
import TensorCore
import VQVAE

/// How `train-flow` judges its progress by a metric independent of the loss (recorded in the
/// manifest).
public struct FlowEvaluationSettings: Codable, Equatable, Sendable {
    /// Evaluate after every this many steps (and once when training ends).
    public var every: Int
    /// Samples per evaluation: always the same noise and classes (spread over all classes).
    public var samples: Int
    public var sampler: SamplerSettings
    /// Seeds the samples' noise and the choice of reference images.
    public var seed: UInt64
    /// Held-out real images in the reference, and the subsets they come from.
    public var referenceImages: Int
    public var referenceSubsets: [DatasetSubset]
    /// The SWD settings (ProGAN's).
    public var swd: SlicedWassersteinOptions
    /// The score of as many real training images as there are samples, against the same
    /// reference: the floor the samples' SWD has at these set sizes (see `SamplingFloor`); nil
    /// when the training subsets hold too few images, and in manifests of older versions.
    public var floor: SlicedWassersteinResult?
}

/// The evaluation `train-flow` runs every `--eval-every` steps: a fixed batch of samples (the same
/// noise and classes each time, so only the weights change between evaluations) from the EMA
/// network with guidance 1, decoded as `generate` decodes them, scored by the multi-scale sliced
/// Wasserstein distance against held-out real images whose patches are extracted once, at the
/// start.
///
/// It reads the training state but never changes it and draws from its own generators, so a run
/// with evaluations trains exactly as one without.
final class FlowTrainingEvaluation {
    let settings: FlowEvaluationSettings
    let reference: SlicedWassersteinReference
    /// Decodes latent samples (nil in pixel space).
    let autoencoder: RVQAutoencoder?
    let conditional: Bool
    /// Largest batch given to the network at once (pixels: 16, as `generate`).
    let maximumBatch: Int?
    /// Files the evaluation depends on, for the manifest.
    let inputs: [ManifestFile]
    /// One line for the log: what is evaluated against what.
    let summary: String
    /// The decoded samples of the last `score`, for its grid.
    private(set) var lastImages: [RGBImage] = []

    private init(
        settings: FlowEvaluationSettings, reference: SlicedWassersteinReference, autoencoder: RVQAutoencoder?,
        conditional: Bool, maximumBatch: Int?, inputs: [ManifestFile], summary: String
    ) {
        self.settings = settings
        self.reference = reference
        self.autoencoder = autoencoder
        self.conditional = conditional
        self.maximumBatch = maximumBatch
        self.inputs = inputs
        self.summary = summary
    }

    /// The evaluation the options ask for, with its reference built, or nil when it is off.
    ///
    /// With the default `--eval-every`, missing inputs (no dataset cache, no held-out subset, no
    /// autoencoder) turn evaluation off with a note; with an explicit one they are errors. An
    /// autoencoder that is not the one the latent cache was made with is always an error: its
    /// images would score another model.
    /// - Parameter cacheAutoencoderSHA256: the latent cache's record of its autoencoder (latent space).
    static func prepare(
        _ options: TrainFlowStage.Options, sampleShape: [Int], cacheAutoencoderSHA256: String?,
        folders: ArtifactFolders, base: URL, write: @escaping (String) -> Void
    ) throws -> FlowTrainingEvaluation? {
        let every = options.effectiveEvalEvery
        guard every > 0 else { return nil }
        let explicit = options.evalEvery != nil
        func unavailable(_ reason: String) throws -> FlowTrainingEvaluation? {
            if explicit { throw StageError("--eval-every \(every): \(reason); or pass --eval-every 0") }
            write("note: no evaluation during training: \(reason)\n")
            return nil
        }

        let heldOut = DatasetSubset.allCases.filter { !options.trainSubsets.contains($0) }
        guard !heldOut.isEmpty else {
            return try unavailable("every subset is trained on, none is held out as the reference")
        }
        let heldOutNames = heldOut.map(\.description).joined(separator: "+")
        let datasetFolder =
            options.dataset.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.dataset)
        guard
            FileManager.default.fileExists(
                atPath: datasetFolder.appendingPathComponent(DatasetCacheLayout.imagesFile).path)
        else {
            return try unavailable(
                "\(datasetFolder.path): no dataset cache for the held-out reference images (pass --dataset DIR)")
        }
        let cache = try DatasetCache.open(datasetFolder)
        guard !cache.rows(in: Set(heldOut)).isEmpty else {
            return try unavailable("\(cache.folder.path): no images in the held-out \(heldOutNames) subset(s)")
        }
        var inputs: [ManifestFile] = []
        let datasetManifest = datasetFolder.appendingPathComponent(DatasetCacheLayout.manifestFile)
        if FileManager.default.fileExists(atPath: datasetManifest.path) {
            inputs.append(try ManifestFile.hashing(datasetManifest, role: "evaluation reference (dataset manifest)"))
        }

        var autoencoder: RVQAutoencoder?
        let side: (height: Int, width: Int)
        switch options.space {
        case .latent:
            let url = folders.autoencoderModel(options.autoencoder, base: base)
            guard FileManager.default.fileExists(atPath: url.path) else {
                return try unavailable("\(url.path): no autoencoder to decode the samples (pass --autoencoder FILE)")
            }
            let hash = try ManifestFile.hashing(url, role: "evaluation decoder (autoencoder)")
            if let expected = cacheAutoencoderSHA256, !expected.isEmpty, hash.sha256 != expected {
                throw StageError(
                    "\(url.path): this autoencoder (SHA-256 \(hash.sha256)) is not the one the latent cache was "
                        + "encoded with (SHA-256 \(expected)), so it cannot decode the evaluation samples; pass that model with "
                        + "--autoencoder FILE, re-encode with `pipeline encode`, or turn evaluation off with --eval-every 0"
                )
            }
            let model = try FlowSampleDecoding.loadAutoencoder(url, sampleShape: sampleShape)
            inputs.append(hash)
            autoencoder = model
            side = (model.config.imageSize, model.config.imageSize)
        case .pixel:
            side = (sampleShape[1], sampleShape[2])
        }

        let start = ProgressReporter.monotonicSeconds()
        var real = try EvaluateImageLoader.load(
            datasetFolder, subsets: Set(heldOut), maxImages: options.evalImages,
            seed: options.evalSeed)
        if real.set.height != side.height || real.set.width != side.width {
            real = try EvaluateStage.matchSize(real, height: side.height, width: side.width)
            write("note: \(real.notes.last!)\n")
        }
        let metric = try SlicedWassersteinDistance(options: SlicedWassersteinOptions())
        let reference = try metric.reference(real.set)
        let floor = try trainingFloor(
            reference, cache: datasetFolder, classCount: cache.classNames.count, options: options, side: side)
        let sampler = SamplerSettings(method: .heun, steps: options.evalSamplerSteps)
        let settings = FlowEvaluationSettings(
            every: every, samples: options.evalSamples, sampler: sampler, seed: options.evalSeed,
            referenceImages: real.set.count, referenceSubsets: heldOut, swd: metric.options,
            floor: floor)
        let summary =
            "evaluation: every \(every) steps and at the end, SWD of \(options.evalSamples) samples (Heun \(options.evalSamplerSteps) steps, "
            + "EMA weights, guidance 1, seed \(options.evalSeed)) against \(real.set.count) held-out \(heldOutNames) images "
            + "(\(side.width)×\(side.height), reference built in \(ReportFormat.duration(ProgressReporter.monotonicSeconds() - start)))"
            + (floor.map {
                String(
                    format: "; %d real training images in their place score %.2f, the floor", options.evalSamples,
                    $0.mean)
            } ?? "")
        return FlowTrainingEvaluation(
            settings: settings, reference: reference, autoencoder: autoencoder,
            conditional: options.training.conditional,
            maximumBatch: options.space == .pixel ? 16 : nil, inputs: inputs, summary: summary)
    }

    /// `evalSamples` real images of the training subsets, of the samples' class mix, scored
    /// against `reference` (nil when the subsets hold fewer).
    private static func trainingFloor(
        _ reference: SlicedWassersteinReference, cache: URL, classCount: Int, options: TrainFlowStage.Options,
        side: (height: Int, width: Int)
    ) throws -> SlicedWassersteinResult? {
        // The classes `score` samples; the null class of an unconditional model is never a label.
        let sampled =
            options.training.conditional
            ? classes(
                count: options.evalSamples, classCount: classCount, nullClass: -1,
                conditional: true) : nil
        guard
            let standIns = try EvaluateFloor.realImages(
                cache, subsets: Set(options.trainSubsets), classes: sampled, count: options.evalSamples,
                seed: options.evalSeed, height: side.height, width: side.width)
        else {
            return nil
        }
        return try reference.distance(to: standIns.set)
    }

    /// The classes of the fixed batch: spread evenly over all classes (sample i of n gets class
    /// ⌊i·C/n⌋), or "no class" for an unconditional model.
    static func classes(count: Int, classCount: Int, nullClass: Int, conditional: Bool) -> [Int] {
        guard conditional, classCount > 0 else { return Array(repeating: nullClass, count: count) }
        return (0..<count).map { $0 * classCount / count }
    }

    /// Samples the fixed batch from `model`, decodes it and scores it.
    func score(_ model: FlowModel) throws -> SlicedWassersteinResult {
        let n = settings.samples
        let classes = Self.classes(
            count: n, classCount: model.config.classCount, nullClass: model.network.nullClass,
            conditional: conditional)
        let noise = model.noise(count: n, seed: settings.seed)
        let samples: FlowSamples
        do {
            samples = try model.sample(
                noise: noise, classes: classes, settings: settings.sampler, guidance: 1,
                maximumBatch: maximumBatch)
        } catch let error as FlowTrainingError {
            throw StageError("evaluation: \(error.message)")
        }
        let images = try FlowSampleDecoding.images(samples.samples, autoencoder: autoencoder)
        lastImages = images
        let set = try ImageSet(
            count: images.count, height: images[0].height, width: images[0].width,
            pixels: images.flatMap(\.pixels))
        return try reference.distance(to: set)
    }
}
