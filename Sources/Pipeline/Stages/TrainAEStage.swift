import DataParallel
import Datasets
import FileFormats
import Foundation
import TensorCore
import VQVAE

/// What `pipeline train-ae` did.
public struct TrainAEResult: Sendable {
    public var stageFolder: URL
    /// The trained model (EMA weights if enabled), also saved when stopped early.
    public var modelURL: URL
    /// Steps completed, over all invocations.
    public var step: Int
    /// The planned number of steps (the schedule's horizon).
    public var horizon: Int
    /// True when a stop signal ended the run early: checkpoint and model are saved, the stage is
    /// not complete (no evaluation, no manifest) and `--resume` continues it.
    public var stopped: Bool
    public var evaluation: AutoencoderEvaluationReport?
    /// Training images per second in this invocation.
    public var imagesPerSecond: Double
    public var lastRecord: TrainAEStepRecord?
}

/// `pipeline train-ae`: trains the RVQ autoencoder on a prepared dataset cache, then evaluates it
/// on held-out images.
///
/// The stage folder `<artifacts>/<run>/autoencoder` receives `checkpoint.safetensors` (exact
/// training state, every `checkpointEvery` steps and at the end or on a stop signal),
/// `model.safetensors` (the model to use: EMA weights, codebooks), `metrics.jsonl` (one line per
/// step), `grids/step-NNNNNN.png` and `reconstructions.png` (held-out originals above their
/// reconstructions), `evaluation.json`, and last `manifest.json`.
public enum TrainAEStage {
    public static let folderName = ArtifactFolders.autoencoder
    /// The stage folder of a decoder fine-tune.
    public static let decoderFolderName = ArtifactFolders.decoder
    public static let checkpointFile = "checkpoint.safetensors"
    public static let modelFile = "model.safetensors"
    public static let metricsFile = "metrics.jsonl"
    public static let evaluationFile = "evaluation.json"
    public static let gridFile = "reconstructions.png"
    public static let gridFolder = "grids"
    /// Model metadata of a decoder fine-tune: the SHA-256 of the autoencoder whose encoder and
    /// codebooks it kept, so that flows trained on that autoencoder's latents accept it.
    public static let fineTunedFromKey = "decoder_finetuned_from_sha256"
    /// Held-out images in the reconstruction grids.
    static let gridImages = 8

    /// Trains (or resumes), evaluates and writes the manifest.
    /// - Parameters:
    ///   - style: progress style (default: a terminal bar or plain log lines).
    ///   - write: where progress, notes and the evaluation table go.
    ///   - shouldStop: polled between steps (Ctrl-C, SIGTERM): checkpoint, save, return.
    @discardableResult
    public static func run(
        _ options: TrainAEOptions, style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> TrainAEResult {
        let stageStart = ProgressReporter.monotonicSeconds()
        guard options.problems.isEmpty else { throw TrainAEError(options.problems.joined(separator: "; ")) }
        guard options.steps != nil || options.minutes != nil else {
            throw TrainAEError("give a budget: --steps N and/or --minutes M")
        }
        // Data parallel: under an MPI launcher, ranks other than 0 train without writing anything.
        let ranks = try DataParallelGroup.fromEnvironment()
        if let ranks, !ranks.isWriter {
            return try TrainAEFollower.run(options, group: ranks, shouldStop: shouldStop)
        }
        let datasetFolder = options.datasetFolder()
        let cache = try DatasetCache.open(datasetFolder)
        let stage = options.stageFolder()
        let lock = try StageLock.acquire(stageFolder: stage, runFolder: options.runFolder())
        defer { lock.release() }
        let checkpointURL = stage.appendingPathComponent(checkpointFile)
        let fineTuneSource = options.decoderFineTuneURL()
        if let fineTuneSource,
            fineTuneSource.resolvingSymlinksInPath().path.hasPrefix(stage.resolvingSymlinksInPath().path + "/")
        {
            // This stage replaces its model and checkpoint: the source would be overwritten.
            throw TrainAEError(
                "\(fineTuneSource.path): the autoencoder to fine-tune lies in this run's stage folder, "
                    + "which the fine-tune writes; give the fine-tune another --run")
        }
        try prepareFolder(stage, checkpoint: checkpointURL, options: options, write: write)

        let session = try makeTrainer(
            options, cache: cache, checkpointURL: checkpointURL, fineTuneSource: fineTuneSource, write: write)
        let (trainer, loader, source) = (session.trainer, session.loader, session.source)
        defer { loader.close() }
        if let ranks {
            try trainer.join(ranks)
            write("data parallel: \(ranks.size) ranks share each batch of \(options.batchSize); rank 0 writes\n")
        }
        // The source's hash ties a fine-tuned decoder to the encoder and codebooks it was trained under.
        let fineTuneEntry = try fineTuneSource.map { try ManifestFile.hashing($0, role: "autoencoder fine-tuned") }
        // A fine-tune of a fine-tune keeps the first source's hash: the encoder and codebooks are
        // still that autoencoder's, and flows name it, not the intermediate decoder.
        var encoderSHA256: String?
        if let fineTuneSource, let fineTuneEntry {
            encoderSHA256 = try RVQAutoencoder.metadata(of: fineTuneSource)[fineTunedFromKey] ?? fineTuneEntry.sha256
        }
        let generatedEntry = try options.generatedLatentsURL().map {
            try ManifestFile.hashing($0, role: "generated latents")
        }
        let inputs =
            try inputEntries(datasetFolder, runFolder: options.runFolder())
            + [fineTuneEntry, generatedEntry].compactMap { $0 }

        let model = trainer.model
        write(
            "model: \(model.parameterCount) parameters, widths \(model.config.autoencoder.widths), "
                + "latents \(model.latentShape.map(String.init).joined(separator: "×")), "
                + "RVQ \(model.config.quantizer.levels)×\(model.config.quantizer.codebookSize)\n")
        write(
            "data: \(loader.rowCount) training images (\(options.trainSubsets.map(\.description).joined(separator: "+"))) "
                + "from \(cache.folder.path), \(loader.batchesPerEpoch) batches of \(options.batchSize) per epoch\n")
        let gridOriginals = try gridImages(cache, subset: options.evaluationSubset)
        let metrics = try TrainAEMetricsLog(
            url: stage.appendingPathComponent(metricsFile),
            keepThrough: options.resume ? trainer.step : nil,
            events: TrainingEventLog(stageFolder: stage, firstStep: trainer.step + 1, warn: write))

        // MARK: The loop
        func checkpointFields() -> TrainAECheckpointFields {
            TrainAECheckpointFields(options: options.trajectoryKey, imageSize: cache.size, position: source.position)
        }
        // `--minutes` counts the training of every session; alone, it plans the schedule's
        // length from the recent steps' speed, revised after every step (`TimeBudgetPlanner`).
        let budget = TrainingBudget(steps: options.steps, seconds: options.minutes.map { $0 * 60 })
        let loop = TrainingLoop(
            trainer: trainer, budget: budget,
            checkpoints: CheckpointCadence(every: options.checkpointEvery) { final in
                // A session that ends before a time budget planned its length records the steps done.
                if final && trainer.horizon == 0 { trainer.setHorizon(trainer.step) }
                try trainer.saveCheckpoint(to: checkpointURL, caller: checkpointFields())
            })
        loop.evaluateEvery = options.gridEvery
        let startStep = trainer.step
        var reporter: ProgressReporter?
        var smoothedStep: Double?
        var lastRecord: TrainAEStepRecord?

        func makeReporter() {
            guard reporter == nil, trainer.horizon > 0 else { return }
            reporter = ProgressReporter(
                label: (fineTuneSource == nil ? RunStage.trainAE : .finetuneDecoder).rawValue, total: trainer.horizon,
                unit: "step", resumedAt: trainer.step,
                style: style, write: write)
        }
        if let steps = options.steps { trainer.setHorizon(steps) }
        makeReporter()

        let loopStart = ProgressReporter.monotonicSeconds()
        let end: TrainingEnd
        do {
            end = try loop.run(
                shouldStop: shouldStop,
                onStep: { report in
                    if report.startedQuantizer {
                        let message =
                            "codebooks started by k-means on \(options.kmeansBatches) batches at step \(report.step)"
                        if let reporter { reporter.message(message) } else { write(message + "\n") }
                    }
                    smoothedStep = smoothedStep.map { 0.9 * $0 + 0.1 * report.seconds } ?? report.seconds
                    let record = TrainAEStepRecord(report, epoch: source.lastEpoch, elapsed: trainer.trainingSeconds)
                    try metrics.append(record)
                    lastRecord = record
                    if reporter == nil, trainer.horizon > 0 {
                        write("planned \(trainer.horizon) steps for the time budget (revised as the speed settles)\n")
                        makeReporter()
                    }
                    if options.steps == nil { reporter?.setTotal(trainer.horizon) }
                    reporter?.update(
                        completed: trainer.step,
                        fields: [
                            ProgressField("loss", record.loss),
                            ProgressField("psnr", String(format: "%.2f", record.psnr)),
                            ProgressField(
                                "img/s", ReportFormat.scaled(Double(report.samples) / (smoothedStep ?? report.seconds))),
                            ProgressField("lr", record.learningRate),
                        ])
                },
                onEvaluate: { _ in
                    try writeGrid(trainer, originals: gridOriginals, stage: stage, events: metrics.events)
                },
                onCheckpoint: { step in
                    reporter?.message("checkpoint at step \(step)")
                })
        } catch let error as AutoencoderTrainingError {
            reporter?.finish()
            throw TrainAEError(
                error.message.hasPrefix("training diverged")
                    ? error.message + "; resume from the last checkpoint with a lower --lr" : error.message)
        } catch {
            reporter?.finish()
            throw error
        }
        let loopSeconds = ProgressReporter.monotonicSeconds() - loopStart
        let stopped = end == .stopped
        reporter?.finish()
        let stepsDone = trainer.step - startStep
        let imagesPerSecond = loopSeconds > 0 ? Double(stepsDone * options.batchSize) / loopSeconds : 0
        if trainer.horizon == 0 { trainer.setHorizon(trainer.step) }

        // The model is saved with the EMA weights: its codebooks must be those of the EMA encoder
        // (a fine-tune keeps its source's encoder and codebooks as they are).
        if trainer.ema != nil, fineTuneSource == nil, model.quantizer.isInitialized {
            write(
                try trainer.withEvaluationWeights {
                    try SavedCodebooks.refit(
                        model, cache: cache, subsets: Set(options.trainSubsets), seed: options.seed)
                })
        }
        let modelURL = stage.appendingPathComponent(modelFile)
        try trainer.withEvaluationWeights {
            var metadata = ["step": String(trainer.step), "ema_weights": String(trainer.ema != nil)]
            metadata[fineTunedFromKey] = encoderSHA256
            try model.save(to: modelURL, metadata: metadata)
        }
        write(
            "saved \(checkpointURL.path) and \(modelURL.path) at step \(trainer.step)"
                + " (\(ReportFormat.rate(imagesPerSecond, unit: "img")) over \(stepsDone) steps)\n")
        var result = TrainAEResult(
            stageFolder: stage, modelURL: modelURL, step: trainer.step, horizon: trainer.horizon,
            stopped: stopped, evaluation: nil, imagesPerSecond: imagesPerSecond, lastRecord: lastRecord)
        if stopped {
            write("stopped at step \(trainer.step) of \(trainer.horizon): continue with --resume\n")
            return result
        }
        try writeGrid(trainer, originals: gridOriginals, stage: stage, events: metrics.events)

        // MARK: Evaluation and manifest
        let report = try trainer.withEvaluationWeights {
            try evaluate(
                model, cache: cache, options: options, step: trainer.step, emaWeights: trainer.ema != nil,
                style: style, write: write)
        }
        try JSONFile.write(report, to: stage.appendingPathComponent(evaluationFile))
        for line in AutoencoderEvaluation.table(report) { write(line + "\n") }
        result.evaluation = report

        let roles = [
            modelFile: "model", checkpointFile: "checkpoint", metricsFile: "metrics", evaluationFile: "evaluation",
            gridFile: "grid",
        ]
        let outputs = try [modelFile, checkpointFile, metricsFile, evaluationFile, gridFile].map {
            try ManifestFile.hashing(stage.appendingPathComponent($0), role: roles[$0]!, path: $0)
        }
        var effective = options
        effective.steps = trainer.horizon
        let config = ManifestConfig(options: effective, model: modelFile, steps: trainer.step, evaluation: report)
        try Manifest(
            stage: folderName, config: config, inputs: inputs, outputs: outputs,
            timings: [
                "total": ProgressReporter.monotonicSeconds() - stageStart, "training": loopSeconds,
                "train_seconds": trainer.trainingSeconds, "evaluation": report.seconds,
                "images_per_second": imagesPerSecond,
            ]
            .merging(communicationTimings(trainer)) { $1 }
        ).write(to: stage)
        write("manifest: \(stage.appendingPathComponent(Manifest.fileName).path)\n")
        return result
    }

    /// Evaluates the stage's saved model on the held-out subset, writes `evaluation.json` and
    /// prints the table: `pipeline train-ae --evaluate-only`.
    @discardableResult
    public static func evaluateSaved(
        _ options: TrainAEOptions, reconstructionsFolder: URL? = nil,
        style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 10),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput
    ) throws -> AutoencoderEvaluationReport {
        let cache = try DatasetCache.open(options.datasetFolder())
        let stage = options.stageFolder()
        let modelURL = stage.appendingPathComponent(modelFile)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw FileFormatError(
                .notFound, path: modelURL.path, "no trained autoencoder here (train one with `pipeline train-ae`)")
        }
        let model = try RVQAutoencoder.load(from: modelURL)
        let metadata = try RVQAutoencoder.metadata(of: modelURL)
        let report = try evaluate(
            model, cache: cache, options: options, step: metadata["step"].flatMap { Int($0) },
            emaWeights: metadata["ema_weights"] == "true", reconstructionsFolder: reconstructionsFolder,
            style: style, write: write)
        try JSONFile.write(report, to: stage.appendingPathComponent(evaluationFile))
        for line in AutoencoderEvaluation.table(report) { write(line + "\n") }
        return report
    }

    // MARK: - Steps of the stage

    /// `TrainingFolderStart`'s checks of the folder, then the manifest removed (the stage is
    /// incomplete while it runs).
    static func prepareFolder(
        _ stage: URL, checkpoint: URL, options: TrainAEOptions,
        write: (String) -> Void = { _ in }
    ) throws {
        _ = try TrainingFolderStart.prepare(
            stageFolder: stage, checkpoint: checkpoint, model: stage.appendingPathComponent(modelFile),
            runFolder: options.runFolder(), resume: options.resume, restart: options.restart, write: write)
        try Manifest.invalidate(in: stage)
    }

    static func loaderOptions(_ options: TrainAEOptions) -> LoaderOptions {
        LoaderOptions(
            batchSize: options.batchSize, subsets: Set(options.trainSubsets), seed: options.seed,
            augmentation: options.augment ? .standard : .none)
    }

    /// The dataset cache's files, hashed, named relative to the run folder when inside it.
    static func inputEntries(_ datasetFolder: URL, runFolder: URL) throws -> [ManifestFile] {
        let prefix = runFolder.path + "/"
        let files = [
            (DatasetCacheLayout.imagesFile, "dataset images"), (DatasetCacheLayout.manifestFile, "dataset manifest"),
        ]
        return try files.compactMap { name, role in
            let url = datasetFolder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            let path = url.standardizedFileURL.path
            return try ManifestFile.hashing(
                url, role: role, path: path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path)
        }
    }

    /// The stage's fields of the checkpoint at `url`, after checking that it can be resumed with
    /// these options on images of `imageSize`.
    static func resumableFields(_ url: URL, options: TrainAEOptions, imageSize: Int) throws -> TrainAECheckpointFields {
        let saved = try AutoencoderTrainer.callerFields(of: url, as: TrainAECheckpointFields.self)
        guard saved.imageSize == imageSize else {
            throw TrainAEError(
                "\(url.path): the checkpoint was trained on \(saved.imageSize) px images, the dataset has \(imageSize) px"
            )
        }
        let current = options.trajectoryKey
        guard saved.options == current else {
            throw TrainAEError(
                "\(url.path): the checkpoint was made with other training options "
                    + "(\(differences(saved.options, current).joined(separator: "; "))); resume with the same options, or --restart"
            )
        }
        return saved
    }

    /// Names of the options that differ, with both values, from their JSON forms.
    static func differences(_ a: TrainAEOptions, _ b: TrainAEOptions) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let da = try? JSONSerialization.jsonObject(with: encoder.encode(a)) as? [String: Any],
            let db = try? JSONSerialization.jsonObject(with: encoder.encode(b)) as? [String: Any]
        else { return ["?"] }
        return Set(da.keys).union(db.keys).sorted().compactMap { key in
            if let va = da[key] as? NSObject, let vb = db[key] as? NSObject, va.isEqual(vb) { return nil }
            return "\(key): checkpoint \(da[key].map { "\($0)" } ?? "none"), now \(db[key].map { "\($0)" } ?? "none")"
        }
    }

    /// Starts a decoder fine-tune: copies every weight and codebook of the trained autoencoder
    /// at `url`, whose configuration must be the one the options describe.
    static func loadFineTuneSource(_ url: URL, into trainer: AutoencoderTrainer) throws {
        let source = try RVQAutoencoder.load(from: url)
        let expected = trainer.model.config
        guard source.config == expected else {
            throw TrainAEError(
                "\(url.path): its autoencoder is \(AutoencoderTrainer.describe(source.config)), these options describe "
                    + "\(AutoencoderTrainer.describe(expected)); give the same --width-scale, --levels and --codebook-size"
            )
        }
        guard source.quantizer.isInitialized else {
            throw TrainAEError(
                "\(url.path): its codebooks were never started; fine-tune the decoder of a trained autoencoder")
        }
        try trainer.load(trained: source, path: url.path)
    }

    /// Held-out images spread evenly over the subset (so over its classes), centre-cropped, for the grids.
    static func gridImages(_ cache: DatasetCache, subset: DatasetSubset) throws -> Tensor? {
        let reader = try SequentialReader(cache: cache, subsets: [subset], batchSize: 1)
        let available = reader.batchCount
        guard available > 0 else { return nil }
        let count = min(gridImages, available)
        var values: [Float] = []
        var shape: [Int] = []
        for k in 0..<count {
            let image = try reader.batch(k * available / count).images
            values += image.values
            shape = image.shape
        }
        shape[0] = count
        return Tensor(shape: shape, values: values)
    }

    /// Originals above their reconstructions through all quantizer levels (EMA weights), as
    /// `grids/step-NNNNNN.png` and `reconstructions.png`, and to TensorBoard's `events` when given.
    static func writeGrid(
        _ trainer: AutoencoderTrainer, originals: Tensor?, stage: URL, events: TrainingEventLog? = nil
    ) throws {
        guard let originals, trainer.model.quantizer.isInitialized else { return }
        let reconstructions = trainer.withEvaluationWeights { trainer.model.reconstruct(originals, levels: nil) }
        let quantized = trainer.withEvaluationWeights {
            trainer.model.reconstruct(originals, levels: trainer.model.config.quantizer.levels)
        }
        let image = try ReconstructionGrid.image(rows: [originals, quantized, reconstructions])
        let folder = stage.appendingPathComponent(gridFolder)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: folder.path, "cannot create the folder: \(error.localizedDescription)")
        }
        try PNGImage.write(image, to: folder.appendingPathComponent(String(format: "step-%06d.png", trainer.step)))
        try PNGImage.write(image, to: stage.appendingPathComponent(gridFile))
        events?.image("reconstructions", image, step: trainer.step)
    }

    static func evaluate(
        _ model: RVQAutoencoder, cache: DatasetCache, options: TrainAEOptions, step: Int?, emaWeights: Bool,
        reconstructionsFolder: URL? = nil,
        style: ProgressReporter.Style, write: @escaping (String) -> Void
    ) throws -> AutoencoderEvaluationReport {
        let available = cache.rows(in: [options.evaluationSubset]).count
        let total = min(available, options.evaluationImages ?? available)
        let reporter = ProgressReporter(label: "evaluate", total: total, unit: "img", style: style, write: write)
        defer { reporter.finish() }
        return try AutoencoderEvaluation.evaluate(
            model: model, cache: cache, subset: options.evaluationSubset,
            batchSize: options.batchSize, limit: options.evaluationImages, step: step,
            emaWeights: emaWeights, reconstructionsFolder: reconstructionsFolder
        ) { done, _ in
            reporter.update(completed: done)
        }
    }
}
