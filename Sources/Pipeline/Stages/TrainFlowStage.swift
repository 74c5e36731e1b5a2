import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore

/// `pipeline train-flow`: train the flow-matching velocity network on the latent cache
/// (`--space latent`, the default) or directly on the dataset's images (`--space pixel`, the
/// baseline), with the same `FlowTrainer` either way.
///
/// Writes into `<artifacts>/<run>/flow` (or `pixel-flow`): `checkpoint.safetensors` (the full
/// training state, every `checkpointEvery` steps and at the end), `metrics.jsonl`,
/// `model.safetensors` (the EMA network with its data statistics, for `generate`) and, when the
/// budget is spent, `manifest.json`. `--resume` continues from the checkpoint exactly.
public enum TrainFlowStage {
    public enum Space: String, CaseIterable, Codable, Sendable {
        case latent, pixel
        var folder: String { self == .latent ? ArtifactFolders.flow : ArtifactFolders.pixelFlow }
    }

    public struct Options: Codable, Equatable, Sendable {
        public var run = "default"
        public var artifacts = "artifacts"
        public var space: Space = .latent
        /// The latent cache folder (latent space; default `<artifacts>/<run>/latents`).
        public var latents: String?
        /// The dataset cache folder (pixel space; default `<artifacts>/<run>/dataset`).
        public var dataset: String?
        /// The output folder (default `<artifacts>/<run>/flow` or `pixel-flow`).
        public var output: String?
        /// Latent space: train on the quantized latents (what the decoder was trained on) or the
        /// encoder's continuous ones.
        public var latentKind: LatentCache.Kind = .quantized
        /// Latent space: use the cache's frozen augmentations as extra variants of each image.
        public var useAugmentations = true
        /// Batch size (default: 64 for latents, 16 for pixels).
        public var batchSize: Int?
        /// Network overrides of the space's preset (`UNetConfig.latent` / `.pixel`).
        public var base: Int?
        public var multipliers: [Int]?
        public var attentionLevels: Int?
        public var training = FlowTrainingConfig()
        /// Seeds the order of the batches (the training seed is `training.seed`).
        public var dataSeed: UInt64 = 0
        public var steps: Int?
        public var minutes: Double?
        public var checkpointEvery = 500
        public var logEvery = 50
        public var resume = false
        /// Start afresh even if the output folder holds a checkpoint (it is replaced).
        public var restart = false

        public init() {}

        public var effectiveBatchSize: Int { batchSize ?? (space == .latent ? 64 : 16) }
    }

    /// The configuration the manifest records.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        public var space: Space
        public var latentKind: LatentCache.Kind?
        public var useAugmentations: Bool?
        public var batchSize: Int
        public var unet: UNetConfig
        public var parameters: Int
        public var training: FlowTrainingConfig
        public var dataSeed: UInt64
        public var sampleShape: [Int]
        public var trainingSamples: Int
        public var steps: Int
        public var statistics: ChannelStatistics
    }

    public struct Result: Sendable {
        public var folder: URL
        public var model: URL
        public var steps: Int
        public var end: FlowRunEnd
        public var finalLoss: Double?
        public var imagesPerSecond: Double
        public var seconds: Double
    }

    public static let checkpointFile = "checkpoint.safetensors"
    public static let modelFile = "model.safetensors"
    public static let metricsFile = "metrics.jsonl"

    /// The training data, as the trainer and the manifest see it.
    struct PreparedData {
        var source: FlowBatchSource
        var statistics: ChannelStatistics
        var classNames: [String]
        var inputs: [ManifestFile]
        var sampleCount: Int
        var notes: [String: String]
    }

    @discardableResult
    public static func run(_ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                           style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
                           write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
                           shouldStop: @escaping () -> Bool = { false }) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        try validate(options)
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output = options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(options.space.folder)
        let checkpointURL = output.appendingPathComponent(checkpointFile)
        let lock = try RunLock.acquire(in: output.path)
        defer { lock.release() }

        // What the checkpoint says, when resuming: its settings win over the options.
        var training = options.training
        var resumeStep = 0
        var savedUNet: UNetConfig?
        let hasCheckpoint = FileManager.default.fileExists(atPath: checkpointURL.path)
        if options.resume {
            guard hasCheckpoint else { throw StageError("\(checkpointURL.path): no checkpoint to resume from; start without --resume") }
            let saved = try FlowTrainer.checkpointSettings(at: checkpointURL)
            if saved.config != options.training {
                write("note: resuming with the training settings stored in the checkpoint (options given now are ignored)\n")
            }
            training = saved.config
            resumeStep = saved.step
            savedUNet = saved.unet
            if let space = saved.notes["space"], space != options.space.rawValue {
                throw StageError("\(checkpointURL.path): the checkpoint trained in \(space) space, not \(options.space.rawValue)")
            }
        } else if hasCheckpoint && !options.restart {
            throw StageError("\(checkpointURL.path) exists: pass --resume to continue that run, --restart to replace it, "
                + "or choose another --run/--output")
        }
        if let steps = options.steps, resumeStep >= steps {
            throw StageError("\(checkpointURL.path) is already at step \(resumeStep), the --steps budget is \(steps); raise --steps to train further")
        }

        let data = try prepareData(options, folders: folders, base: base, startStep: resumeStep, write: write)
        let unet = savedUNet ?? unetConfig(options, classCount: data.classNames.count)
        try unet.validate(source: "train-flow options")
        guard unet.classCount == data.classNames.count else {
            throw StageError("\(checkpointURL.path): the checkpoint's network has \(unet.classCount) classes, the data \(data.classNames.count)")
        }

        var generator = SeededGenerator(seed: SeedMixing.combine(training.seed, 0x1417))
        let model = VelocityUNet(unet, generator: &generator)
        var notes = data.notes
        notes["space"] = options.space.rawValue
        let trainer: FlowTrainer
        do {
            trainer = try FlowTrainer(model: model, config: training, statistics: data.statistics, source: data.source, notes: notes)
        } catch let error as FlowTrainingError {
            throw StageError("train-flow: \(error.message)")
        }
        if options.resume {
            try trainer.resume(from: checkpointURL)
            write("resumed from \(checkpointURL.path) at step \(trainer.step)\n")
        }
        try StageManifest<ManifestConfig>.invalidate(in: output)
        let metrics = try MetricsLog(url: output.appendingPathComponent(metricsFile), keepThrough: options.resume ? trainer.step : nil)
        defer { metrics.close() }

        write("train-flow (\(options.space.rawValue)): \(data.sampleCount) samples of \(data.source.sampleShape), "
            + "\(data.classNames.count) classes, batch \(options.effectiveBatchSize); network \(ReportFormat.scaled(Double(model.parameterCount))) parameters "
            + "(base \(unet.base), multipliers \(unet.multipliers)); path \(training.path.rawValue), time \(training.timeSampling.summary)"
            + (training.optimalTransport ? ", minibatch OT" : "") + ", label dropout \(training.labelDropout)"
            + (training.emaDecay.map { ", EMA \($0)" } ?? ", no EMA") + "\n")
        let budgetText = [options.steps.map { "\($0) steps" }, options.minutes.map { "\(ReportFormat.number($0)) min" }]
            .compactMap { $0 }.joined(separator: " or ")
        write("budget: \(budgetText); checkpoints every \(options.checkpointEvery) steps to \(checkpointURL.path)\n")

        let reporter = ProgressReporter(label: "train-flow", total: options.steps, unit: "step", style: style, write: write)
        reporter.update(completed: trainer.step)
        var window = FlowStepAverages(buckets: training.timeBuckets)
        var smoothedLoss: Double?
        var lastLoss: Double?
        var totalImages = 0, trainSeconds = 0.0
        let sessionStart = ProgressReporter.monotonicSeconds()
        let budget = TrainingBudget(steps: options.steps, seconds: options.minutes.map { $0 * 60 })
        let end: FlowRunEnd
        do {
            end = try trainer.run(budget: budget, checkpoint: CheckpointPolicy(url: checkpointURL, every: options.checkpointEvery),
                                  shouldStop: shouldStop, onStep: { report in
                window.add(report)
                totalImages += report.samples
                trainSeconds += report.seconds
                if !report.skipped {
                    smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * report.loss } ?? report.loss
                    lastLoss = report.loss
                } else {
                    reporter.message("step \(report.step): non-finite loss or gradient, update skipped")
                }
                var fields = [ProgressField("loss", smoothedLoss ?? .nan), ProgressField("lr", String(format: "%.2e", report.learningRate)),
                              ProgressField("img/s", Double(report.samples) / max(report.seconds, 1e-9))]
                if let seconds = budget.seconds {
                    let left = max(0, seconds - (ProgressReporter.monotonicSeconds() - sessionStart))
                    fields.append(ProgressField("left", ReportFormat.duration(left)))
                }
                reporter.update(completed: report.step, fields: fields)
                if report.step % max(options.logEvery, 1) == 0 {
                    try metrics.append(record(window, step: report.step, elapsed: ProgressReporter.monotonicSeconds() - sessionStart))
                    window = FlowStepAverages(buckets: training.timeBuckets)
                }
                if report.step % max(options.checkpointEvery, 1) == 0 {
                    reporter.message("checkpoint at step \(report.step)")
                }
            })
        } catch {
            reporter.finish()
            throw error
        }
        if window.steps > 0 {
            try metrics.append(record(window, step: trainer.step, elapsed: ProgressReporter.monotonicSeconds() - sessionStart))
        }
        reporter.finish()

        var info = notes
        info["class_names"] = String(decoding: try JSONEncoder().encode(data.classNames), as: UTF8.self)
        info["step"] = String(trainer.step)
        info["weights"] = training.emaDecay == nil ? "trained" : "ema"
        let modelURL = output.appendingPathComponent(modelFile)
        try trainer.exportModel(info: info).save(to: modelURL)
        let rate = Double(totalImages) / max(trainSeconds, 1e-9)
        write("model: \(modelURL.path) (step \(trainer.step), \(end.rawValue), \(ReportFormat.rate(rate, unit: "img")) while training)\n")
        let seconds = ProgressReporter.monotonicSeconds() - start
        if end == .stopped {
            write("stopped at step \(trainer.step); continue with --resume\n")
        } else {
            let config = ManifestConfig(space: options.space, latentKind: options.space == .latent ? options.latentKind : nil,
                                        useAugmentations: options.space == .latent ? options.useAugmentations : nil,
                                        batchSize: options.effectiveBatchSize, unet: unet, parameters: model.parameterCount,
                                        training: trainer.config, dataSeed: options.dataSeed, sampleShape: data.source.sampleShape,
                                        trainingSamples: data.sampleCount, steps: trainer.step, statistics: data.statistics)
            let outputs = try [(modelURL, "model"), (checkpointURL, "checkpoint"), (metrics.url, "metrics")]
                .map { try ManifestFile.hashing($0.0, role: $0.1) }
            try StageManifest(stage: "train-flow", config: config, inputs: data.inputs, outputs: outputs,
                              timings: ["total": seconds, "training": trainSeconds, "images_per_second": rate],
                              notes: ["ended: \(end.rawValue)"]).write(to: output)
        }
        return Result(folder: output, model: modelURL, steps: trainer.step, end: end, finalLoss: lastLoss,
                      imagesPerSecond: rate, seconds: seconds)
    }

    static func validate(_ options: Options) throws {
        guard options.effectiveBatchSize >= 1 else { throw StageError("--batch-size must be positive, got \(options.effectiveBatchSize)") }
        guard options.steps != nil || options.minutes != nil else { throw StageError("give a budget: --steps N and/or --minutes M") }
        if let steps = options.steps, steps < 1 { throw StageError("--steps must be positive, got \(steps)") }
        if let minutes = options.minutes, !(minutes > 0) { throw StageError("--minutes must be positive, got \(minutes)") }
        guard options.checkpointEvery >= 1 else { throw StageError("--checkpoint-every must be positive, got \(options.checkpointEvery)") }
        guard options.logEvery >= 1 else { throw StageError("--log-every must be positive, got \(options.logEvery)") }
        do {
            try options.training.validate()
        } catch let error as FlowTrainingError {
            throw StageError("train-flow: \(error.message)")
        }
    }

    /// The space's preset with the options' overrides.
    public static func unetConfig(_ options: Options, classCount: Int) -> UNetConfig {
        var config = options.space == .latent ? UNetConfig.latent : UNetConfig.pixel
        config.classCount = classCount
        if let base = options.base { config.base = base }
        if let multipliers = options.multipliers { config.multipliers = multipliers }
        if let levels = options.attentionLevels { config.attentionLevels = levels }
        return config
    }

    static func prepareData(_ options: Options, folders: ArtifactFolders, base: URL, startStep: Int,
                            write: (String) -> Void) throws -> PreparedData {
        switch options.space {
        case .latent:
            let folder = options.latents.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.latents)
            let (url, hash) = try UpstreamArtifact.verified(LatentCache.fileName, in: folder, stage: "latents", producedBy: "pipeline encode")
            let cache = try LatentCache(url: url)
            var rows = cache.rows(in: [.train])
            if rows.isEmpty {
                write("note: \(url.path) has no training rows; training on all \(cache.count)\n")
                rows = Array(0..<cache.count)
            }
            let samples = try cache.latents(options.latentKind, rows: rows, variants: options.useAugmentations)
            let source: InMemoryBatchSource
            do {
                source = try InMemoryBatchSource(samples: samples, labels: rows.map { cache.labels[$0] },
                                                 batchSize: options.effectiveBatchSize, seed: options.dataSeed)
            } catch let error as FlowTrainingError {
                throw StageError("\(url.path): \(error.message)")
            }
            return PreparedData(source: source, statistics: try cache.statistics(options.latentKind), classNames: cache.classNames,
                                inputs: [hash], sampleCount: rows.count,
                                notes: ["latents_sha256": hash.sha256, "latent_kind": options.latentKind.rawValue,
                                        "autoencoder_sha256": cache.autoencoderSHA256])
        case .pixel:
            let folder = options.dataset.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.dataset)
            let cache = try DatasetCache.open(folder)
            let manifest = try ManifestFile.hashing(folder.appendingPathComponent(DatasetCacheLayout.manifestFile), role: "dataset manifest")
            let statistics = try pixelStatistics(cache)
            let source = try LoaderBatchSource(cache: cache, batchSize: options.effectiveBatchSize, seed: options.dataSeed,
                                               startStep: startStep)
            return PreparedData(source: source, statistics: statistics, classNames: cache.classNames, inputs: [manifest],
                                sampleCount: source.loader.rowCount, notes: ["dataset_manifest_sha256": manifest.sha256])
        }
    }

    /// Per-channel statistics of up to 1024 training images (centre crops), deterministic.
    static func pixelStatistics(_ cache: DatasetCache) throws -> ChannelStatistics {
        let reader = try SequentialReader(cache: cache, subsets: [.train], batchSize: 64)
        var accumulator = ChannelStatisticsAccumulator(channels: 3)
        for index in 0..<min(reader.batchCount, 16) { accumulator.add(try reader.batch(index).images) }
        return accumulator.statistics
    }

    /// One metrics line: averages over the steps since the last line.
    static func record(_ window: FlowStepAverages, step: Int, elapsed: Double) -> [String: Any] {
        var record: [String: Any] = [
            "step": step, "loss": window.loss, "grad_norm": window.gradientNorm, "lr": window.lastLearningRate,
            "images_per_second": window.samplesPerSecond, "elapsed_seconds": elapsed, "steps": window.steps,
        ]
        if window.skipped > 0 { record["skipped"] = window.skipped }
        let buckets = window.bucketLosses
        record["loss_by_time"] = buckets.map { $0.map { $0 as Any } ?? NSNull() }
        return record
    }
}
