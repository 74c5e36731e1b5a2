import DataParallel
import Datasets
import FileFormats
import Foundation
import ImageMetrics
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
///
/// Every `--eval-every` steps (and at the end) a fixed batch of samples from the EMA weights is
/// scored by SWD against held-out images (`FlowTrainingEvaluation`), an `"event": "eval"` line in
/// `metrics.jsonl`. Evaluation stops the training clock: `--minutes` buys training compute, and
/// every metrics line carries `train_seconds`, the training time so far over all sessions.
public enum TrainFlowStage {
    public enum Space: String, CaseIterable, Codable, Sendable {
        case latent, pixel
        var folder: String { self == .latent ? ArtifactFolders.flow : ArtifactFolders.pixelFlow }
    }

    public struct Options: Codable, Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        public var space: Space = .latent
        /// The latent cache folder (latent space; default `<artifacts>/<run>/latents`).
        public var latents: String?
        /// The dataset cache folder: the training images in pixel space, and in both spaces the
        /// held-out reference images of the evaluation (default `<artifacts>/<run>/dataset`).
        public var dataset: String?
        /// Latent space: the autoencoder that made the latent cache, to decode evaluation samples
        /// (default `<artifacts>/<run>/autoencoder/model.safetensors`).
        public var autoencoder: String?
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
        /// The subsets trained on. The default leaves `validation` out for evaluation (as
        /// train-ae does): on Oxford Flowers 102, `train` alone is only 10 images per class.
        public var trainSubsets: [DatasetSubset] = [.train, .test]
        public var steps: Int?
        public var minutes: Double?
        public var checkpointEvery = 500
        public var logEvery = 50
        public var resume = false
        /// Start afresh even if the output folder holds a checkpoint (it is replaced).
        public var restart = false
        /// Evaluate every this many steps (0: never). nil: `defaultEvalEvery`, turned off with a
        /// note when there is nothing to evaluate against (an explicit value makes that an error).
        public var evalEvery: Int?
        /// Samples per evaluation.
        public var evalSamples = 64
        /// Heun steps of the evaluation sampler (2 network evaluations each).
        public var evalSamplerSteps = 10
        /// Held-out real images in the SWD reference (fewer if the held-out subsets have fewer).
        public var evalImages = 256
        /// Seeds the evaluation's noise and its choice of reference images.
        public var evalSeed: UInt64 = 0

        public init() {}

        public var effectiveBatchSize: Int { batchSize ?? (space == .latent ? 64 : 16) }
        public var effectiveEvalEvery: Int { evalEvery ?? TrainFlowStage.defaultEvalEvery }
    }

    /// Evaluation every 500 steps in both spaces. Latent (64 samples, Heun 10 = 20 network
    /// evaluations of a batch of 64, then 64 decodes and the SWD) costs about 8 latent training
    /// steps, under 2 %; pixel about 27 pixel training steps, about 5 % of wall-clock time, and
    /// neither is charged to the `--minutes` budget.
    public static let defaultEvalEvery = 500

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
        public var trainSubsets: [DatasetSubset]
        public var sampleShape: [Int]
        public var trainingSamples: Int
        public var steps: Int
        public var statistics: ChannelStatistics
        /// nil: no evaluation during training.
        public var evaluation: FlowEvaluationSettings?
        /// The budget the model was trained to (nil in manifests written before it was recorded).
        public var budget: Budget?
    }

    /// A training budget as `--steps` and `--minutes` give it, each over all sessions: what
    /// compare checks before it calls two models trained at equal compute.
    public struct Budget: Codable, Equatable, Sendable, CustomStringConvertible {
        public var steps: Int?
        public var minutes: Double?

        public init(steps: Int?, minutes: Double?) {
            self.steps = steps
            self.minutes = minutes
        }

        public var description: String {
            let parts = [steps.map { "\($0) steps" }, minutes.map { "\(ReportFormat.number($0)) min" }].compactMap {
                $0
            }
            return parts.isEmpty ? "no budget" : parts.joined(separator: " or ")
        }
    }

    public struct Result: Sendable {
        public var folder: URL
        public var model: URL
        public var steps: Int
        public var end: TrainingEnd
        public var finalLoss: Double?
        public var imagesPerSecond: Double
        public var seconds: Double
        /// Training time over all sessions, evaluation excluded (the metrics' `train_seconds`).
        public var trainingSeconds: Double
        /// The last evaluation's SWD (nil without evaluation).
        public var lastSWD: SlicedWassersteinResult?
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
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        try validate(options)
        // Data parallel: under an MPI launcher, ranks other than 0 train without writing anything.
        let ranks = try DataParallelGroup.fromEnvironment()
        if let ranks, !ranks.isWriter {
            return try TrainFlowFollower.run(options, group: ranks, base: base, shouldStop: shouldStop)
        }
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(options.space.folder)
        let checkpointURL = output.appendingPathComponent(checkpointFile)
        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }

        // What the checkpoint says, when resuming: its settings win over the options.
        var training = options.training
        var resumeStep = 0
        var savedUNet: UNetConfig?
        let stageComplete = StageManifest<ManifestConfig>.complete(in: output) != nil
        _ = try TrainingFolderStart.prepare(
            stageFolder: output, checkpoint: checkpointURL, model: output.appendingPathComponent(modelFile),
            runFolder: folders.runFolder, resume: options.resume, restart: options.restart, write: write)
        if options.resume {
            let saved = try FlowTrainer.checkpointSettings(at: checkpointURL)
            if saved.config != options.training {
                write(
                    "note: resuming with the training settings stored in the checkpoint (options given now are ignored)\n"
                )
            }
            training = saved.config
            resumeStep = saved.step
            savedUNet = saved.unet
            if let space = saved.notes["space"], space != options.space.rawValue {
                throw StageError(
                    "\(checkpointURL.path): the checkpoint trained in \(space) space, not \(options.space.rawValue)")
            }
        }
        try TrainingFolderStart.checkStepBudget(
            resumedStep: resumeStep, steps: options.steps, checkpoint: checkpointURL, stageComplete: stageComplete,
            write: write)

        let data = try prepareData(options, folders: folders, base: base, startStep: resumeStep, write: write)
        let unet = savedUNet ?? unetConfig(options, classCount: data.classNames.count)
        try unet.validate(source: "train-flow options")
        guard unet.classCount == data.classNames.count else {
            throw StageError(
                "\(checkpointURL.path): the checkpoint's network has \(unet.classCount) classes, the data \(data.classNames.count)"
            )
        }

        let model = initialModel(unet, training: training)
        let evaluation = try FlowTrainingEvaluation.prepare(
            options, sampleShape: data.source.sampleShape,
            cacheAutoencoderSHA256: data.notes["autoencoder_sha256"],
            folders: folders, base: base, write: write)
        let notes = trainerNotes(data, options)
        let trainer: FlowTrainer
        do {
            trainer = try FlowTrainer(
                model: model, config: training, statistics: data.statistics, source: data.source, notes: notes)
        } catch let error as FlowTrainingError {
            throw StageError("train-flow: \(error.message)")
        }
        if options.resume {
            try trainer.resume(from: checkpointURL)
            write("resumed from \(checkpointURL.path) at step \(trainer.step)\n")
        }
        if let ranks {
            try trainer.join(ranks)
            write(
                "data parallel: \(ranks.size) ranks share each batch of \(options.effectiveBatchSize); rank 0 writes\n")
        }
        try StageManifest<ManifestConfig>.invalidate(in: output)
        let metrics = try MetricsLog(
            url: output.appendingPathComponent(metricsFile), keepThrough: options.resume ? trainer.step : nil,
            events: TrainingEventLog(stageFolder: output, firstStep: trainer.step + 1, warn: write))
        defer { metrics.close() }

        write(
            "train-flow (\(options.space.rawValue)): \(data.sampleCount) samples of \(data.source.sampleShape), "
                + "\(data.classNames.count) classes, batch \(options.effectiveBatchSize); network \(ReportFormat.scaled(Double(model.parameterCount))) parameters "
                + "(base \(unet.base), multipliers \(unet.multipliers)); path \(training.path.rawValue), time \(training.timeSampling.summary)"
                + (training.optimalTransport ? ", minibatch OT" : "") + ", label dropout \(training.labelDropout)"
                + (training.emaDecay.map { ", EMA \($0)" } ?? ", no EMA") + "\n")
        write(
            "budget: \(Budget(steps: options.steps, minutes: options.minutes)) of training (evaluation not counted); checkpoints every \(options.checkpointEvery) steps to \(checkpointURL.path)\n"
        )
        if let evaluation { write(evaluation.summary + "\n") }

        let reporter = ProgressReporter(
            label: "train-flow", total: options.steps, unit: "step", resumedAt: trainer.step, style: style,
            write: write)
        var window = FlowStepAverages(buckets: training.timeBuckets)
        var smoothedLoss: Double?
        var lastLoss: Double?
        var totalImages = 0, trainSeconds = 0.0
        let sessionStart = ProgressReporter.monotonicSeconds()
        let budget = TrainingBudget(steps: options.steps, seconds: options.minutes.map { $0 * 60 })
        var lastSWD: SlicedWassersteinResult?
        var evaluationSeconds = 0.0
        /// Scores the EMA weights and logs the result; a failure is reported, not fatal (a
        /// metric must not end a long training run).
        func evaluate(_ evaluation: FlowTrainingEvaluation, step: Int) throws {
            let start = ProgressReporter.monotonicSeconds()
            let swd: SlicedWassersteinResult
            do {
                swd = try evaluation.score(try trainer.exportModel())
            } catch {
                reporter.message("evaluation at step \(step) failed: \(error)")
                return
            }
            let seconds = ProgressReporter.monotonicSeconds() - start
            evaluationSeconds += seconds
            lastSWD = swd
            try metrics.append([
                "event": "eval", "step": step, "train_seconds": trainer.trainingSeconds,
                "elapsed_seconds": ProgressReporter.monotonicSeconds() - sessionStart,
                "swd": swd.perLevel, "swd_resolutions": swd.resolutions, "swd_mean": swd.mean,
                "eval_samples": evaluation.settings.samples, "eval_seconds": seconds,
            ])
            EvaluationSampleGrid.save(
                evaluation.lastImages, step: step, stage: output, events: metrics.events, warn: reporter.message)
            reporter.message(
                "eval at step \(step): SWD×10³ mean \(ReportFormat.number(swd.mean)) ("
                    + zip(swd.resolutions, swd.perLevel).map { "\($0) px \(ReportFormat.number($1))" }.joined(
                        separator: ", ")
                    + ") in \(ReportFormat.duration(seconds))")
        }
        let loop = TrainingLoop(
            trainer: trainer, budget: budget,
            checkpoints: CheckpointCadence(every: options.checkpointEvery) { _ in
                try trainer.saveCheckpoint(to: checkpointURL)
            })
        loop.logEvery = max(options.logEvery, 1)
        loop.evaluateEvery = evaluation?.settings.every ?? 0
        // Once more at the end of training (not on a stop request: that should end quickly).
        loop.evaluateAtEnd = evaluation != nil
        let end: TrainingEnd
        do {
            end = try loop.run(
                shouldStop: shouldStop,
                onStep: { report in
                    window.add(report)
                    totalImages += report.samples
                    trainSeconds += report.seconds
                    if !report.skipped {
                        smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * report.loss } ?? report.loss
                        lastLoss = report.loss
                    } else {
                        reporter.message("step \(report.step): non-finite loss or gradient, update skipped")
                    }
                    var fields = [
                        ProgressField("loss", smoothedLoss ?? .nan),
                        ProgressField("lr", String(format: "%.2e", report.learningRate)),
                        ProgressField("img/s", Double(report.samples) / max(report.seconds, 1e-9)),
                    ]
                    if let seconds = budget.seconds {
                        let left = max(0, seconds - trainer.trainingSeconds)
                        fields.append(ProgressField("left", ReportFormat.duration(left)))
                    }
                    if let lastSWD { fields.append(ProgressField("swd", lastSWD.mean)) }
                    reporter.update(completed: report.step, fields: fields)
                },
                onLog: { step in
                    try metrics.append(
                        record(
                            window, step: step, elapsed: ProgressReporter.monotonicSeconds() - sessionStart,
                            trainSeconds: trainer.trainingSeconds))
                    window = FlowStepAverages(buckets: training.timeBuckets)
                },
                onEvaluate: { step in
                    if let evaluation { try evaluate(evaluation, step: step) }
                },
                onCheckpoint: { step in
                    // After the save, so that whoever reads this line can rely on the file.
                    reporter.message("checkpoint at step \(step)")
                })
        } catch {
            reporter.finish()
            throw error
        }
        reporter.finish()

        var info = notes
        info["class_names"] = String(decoding: try JSONEncoder().encode(data.classNames), as: UTF8.self)
        info["step"] = String(trainer.step)
        info["weights"] = training.emaDecay == nil ? "trained" : "ema"
        let modelURL = output.appendingPathComponent(modelFile)
        try trainer.exportModel(info: info).save(to: modelURL)
        let rate = Double(totalImages) / max(trainSeconds, 1e-9)
        write(
            "model: \(modelURL.path) (step \(trainer.step), \(end.rawValue), \(ReportFormat.rate(rate, unit: "img")) while training)\n"
        )
        let seconds = ProgressReporter.monotonicSeconds() - start
        if end == .stopped {
            write("stopped at step \(trainer.step); continue with --resume\n")
        } else {
            let config = ManifestConfig(
                space: options.space, latentKind: options.space == .latent ? options.latentKind : nil,
                useAugmentations: options.space == .latent ? options.useAugmentations : nil,
                batchSize: options.effectiveBatchSize, unet: unet, parameters: model.parameterCount,
                training: trainer.config, dataSeed: options.dataSeed,
                trainSubsets: options.trainSubsets, sampleShape: data.source.sampleShape,
                trainingSamples: data.sampleCount, steps: trainer.step, statistics: data.statistics,
                evaluation: evaluation?.settings, budget: Budget(steps: options.steps, minutes: options.minutes))
            let outputs = try [(modelURL, "model"), (checkpointURL, "checkpoint"), (metrics.url, "metrics")]
                .map { try ManifestFile.hashing($0.0, role: $0.1) }
            let inputs =
                data.inputs
                + (evaluation?.inputs ?? []).filter { file in !data.inputs.contains { $0.path == file.path } }
            try StageManifest(
                stage: "train-flow", config: config, inputs: inputs, outputs: outputs,
                timings: [
                    "total": seconds, "training": trainSeconds, "images_per_second": rate,
                    "train_seconds": trainer.trainingSeconds, "evaluation": evaluationSeconds,
                ]
                .merging(communicationTimings(ranks)) { $1 },
                notes: ["ended: \(end.rawValue)"]
            ).write(to: output)
        }
        return Result(
            folder: output, model: modelURL, steps: trainer.step, end: end, finalLoss: lastLoss,
            imagesPerSecond: rate, seconds: seconds, trainingSeconds: trainer.trainingSeconds, lastSWD: lastSWD)
    }

    static func validate(_ options: Options) throws {
        guard options.effectiveBatchSize >= 1 else {
            throw StageError("--batch-size must be positive, got \(options.effectiveBatchSize)")
        }
        guard options.steps != nil || options.minutes != nil else {
            throw StageError("give a budget: --steps N and/or --minutes M")
        }
        if let steps = options.steps, steps < 1 { throw StageError("--steps must be positive, got \(steps)") }
        if let minutes = options.minutes, !(minutes > 0) {
            throw StageError("--minutes must be positive, got \(minutes)")
        }
        guard options.checkpointEvery >= 1 else {
            throw StageError("--checkpoint-every must be positive, got \(options.checkpointEvery)")
        }
        guard options.logEvery >= 1 else { throw StageError("--log-every must be positive, got \(options.logEvery)") }
        guard !options.trainSubsets.isEmpty else { throw StageError("--train-subsets: at least one subset is needed") }
        if let every = options.evalEvery, every < 0 {
            throw StageError("--eval-every must be 0 (off) or positive, got \(every)")
        }
        guard (1...100_000).contains(options.evalSamples) else {
            throw StageError("--eval-samples must be in 1...100000, got \(options.evalSamples)")
        }
        guard (1...10_000).contains(options.evalSamplerSteps) else {
            throw StageError("--eval-sampler-steps must be in 1...10000, got \(options.evalSamplerSteps)")
        }
        guard options.evalImages >= 1 else {
            throw StageError("--eval-images must be positive, got \(options.evalImages)")
        }
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

    static func prepareData(
        _ options: Options, folders: ArtifactFolders, base: URL, startStep: Int,
        write: (String) -> Void
    ) throws -> PreparedData {
        switch options.space {
        case .latent:
            let folder =
                options.latents.map { ArtifactFolders.resolve($0, base: base) }
                ?? folders.stage(ArtifactFolders.latents)
            let (url, hash) = try UpstreamArtifact.verified(
                LatentCache.fileName, in: folder, stage: "latents", producedBy: "pipeline encode")
            let cache = try LatentCache(url: url)
            let rows = cache.rows(in: Set(options.trainSubsets))
            guard !rows.isEmpty else {
                throw StageError(
                    "\(url.path): no latents in the \(subsetNames(options.trainSubsets)) subset(s); choose others with --train-subsets"
                )
            }
            let samples = try cache.latents(options.latentKind, rows: rows, variants: options.useAugmentations)
            // The statistics of exactly what is trained on: every variant, as each is drawn equally often.
            let statistics = ChannelStatistics.measure(
                samples.rank == 5
                    ? samples.reshaped([samples.shape[0] * samples.shape[1]] + Array(samples.shape.dropFirst(2)))
                    : samples)
            let source: InMemoryBatchSource
            do {
                source = try InMemoryBatchSource(
                    samples: samples, labels: rows.map { cache.labels[$0] },
                    batchSize: options.effectiveBatchSize, seed: options.dataSeed)
            } catch let error as FlowTrainingError {
                throw StageError("\(url.path): \(error.message)")
            }
            return PreparedData(
                source: source, statistics: statistics, classNames: cache.classNames,
                inputs: [hash], sampleCount: rows.count,
                notes: [
                    "latents_sha256": hash.sha256, "latent_kind": options.latentKind.rawValue,
                    "autoencoder_sha256": cache.autoencoderSHA256,
                ])
        case .pixel:
            let folder =
                options.dataset.map { ArtifactFolders.resolve($0, base: base) }
                ?? folders.stage(ArtifactFolders.dataset)
            let cache = try DatasetCache.open(folder)
            let manifest = try ManifestFile.hashing(
                folder.appendingPathComponent(DatasetCacheLayout.manifestFile), role: "dataset manifest")
            let subsets = Set(options.trainSubsets)
            guard !cache.rows(in: subsets).isEmpty else {
                throw StageError(
                    "\(cache.folder.path): no images in the \(subsetNames(options.trainSubsets)) subset(s); choose others with --train-subsets"
                )
            }
            let statistics = try PixelStatistics.measure(cache, subsets: subsets, seed: options.dataSeed)
            let source = try LoaderBatchSource(
                cache: cache, subsets: subsets, batchSize: options.effectiveBatchSize,
                seed: options.dataSeed, startStep: startStep)
            return PreparedData(
                source: source, statistics: statistics, classNames: cache.classNames, inputs: [manifest],
                sampleCount: source.loader.rowCount, notes: ["dataset_manifest_sha256": manifest.sha256])
        }
    }

    static func subsetNames(_ subsets: [DatasetSubset]) -> String { subsets.map(\.description).joined(separator: "+") }

    /// One metrics line: averages over the steps since the last line.
    /// `elapsed` is this session's wall clock; `trainSeconds` the training time of all sessions.
    static func record(_ window: FlowStepAverages, step: Int, elapsed: Double, trainSeconds: Double) -> [String: Any] {
        var record: [String: Any] = [
            "step": step, "loss": window.loss, "grad_norm": window.gradientNorm, "lr": window.lastLearningRate,
            "images_per_second": window.samplesPerSecond, "elapsed_seconds": elapsed, "train_seconds": trainSeconds,
            "steps": window.steps,
        ]
        if window.skipped > 0 { record["skipped"] = window.skipped }
        let buckets = window.bucketLosses
        record["loss_by_time"] = buckets.map { $0.map { $0 as Any } ?? NSNull() }
        return record
    }
}
