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
    /// Steps timed to estimate the horizon of a `--minutes`-only run (after the first step).
    static let calibrationSteps = 5

    /// Trains (or resumes), evaluates and writes the manifest.
    /// - Parameters:
    ///   - style: progress style (default: a terminal bar or plain log lines).
    ///   - write: where progress, notes and the evaluation table go.
    ///   - shouldStop: polled between steps (Ctrl-C, SIGTERM): checkpoint, save, return.
    @discardableResult
    public static func run(_ options: TrainAEOptions, style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
                           write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
                           shouldStop: @escaping () -> Bool = { false }) throws -> TrainAEResult {
        guard options.problems.isEmpty else { throw TrainAEError(options.problems.joined(separator: "; ")) }
        guard options.steps != nil || options.minutes != nil else {
            throw TrainAEError("give a budget: --steps N and/or --minutes M")
        }
        let datasetFolder = options.datasetFolder()
        let cache = try DatasetCache.open(datasetFolder)
        let stage = options.stageFolder()
        let lock = try StageLock.acquire(stageFolder: stage, runFolder: options.runFolder())
        defer { lock.release() }
        let checkpointURL = stage.appendingPathComponent(checkpointFile)
        let fineTuneSource = options.decoderFineTuneURL()
        if let fineTuneSource, fineTuneSource.resolvingSymlinksInPath().path.hasPrefix(stage.resolvingSymlinksInPath().path + "/") {
            // This stage replaces its model and checkpoint: the source would be overwritten.
            throw TrainAEError("\(fineTuneSource.path): the autoencoder to fine-tune lies in this run's stage folder, "
                + "which the fine-tune writes; give the fine-tune another --run")
        }
        try prepareFolder(stage, checkpoint: checkpointURL, options: options, write: write)

        let trainer = AutoencoderTrainer(options: options, imageSize: cache.size)
        if options.resume {
            try trainer.restore(from: checkpointURL, imageSize: cache.size)
            write("resuming from \(checkpointURL.path) at step \(trainer.step)\n")
        } else if let fineTuneSource {
            try trainer.loadFineTuneSource(fineTuneSource, imageSize: cache.size)
            write("fine-tuning the decoder of \(fineTuneSource.path): encoder and codebooks frozen\n")
        }
        if let steps = options.steps { trainer.setHorizon(steps) }
        if let url = options.generatedLatentsURL() {
            let pool = try GeneratedLatentPool(url: url, latentShape: trainer.model.latentShape)
            trainer.generatedLatents = pool
            write("the discriminator also judges the decoder's pictures of \(pool.count) generated latents from \(url.path), "
                + "\(options.generatedLatents!.perStep) per step\n")
        }
        // The source's hash ties a fine-tuned decoder to the encoder and codebooks it was trained under.
        let fineTuneEntry = try fineTuneSource.map { try TrainAEManifest.entry($0, name: $0.path) }
        // A fine-tune of a fine-tune keeps the first source's hash: the encoder and codebooks are
        // still that autoencoder's, and flows name it, not the intermediate decoder.
        var encoderSHA256: String?
        if let fineTuneSource, let fineTuneEntry {
            encoderSHA256 = try RVQAutoencoder.metadata(of: fineTuneSource)[fineTunedFromKey] ?? fineTuneEntry.sha256
        }
        let generatedEntry = try trainer.generatedLatents.map { try TrainAEManifest.entry($0.url, name: $0.url.path) }
        let inputs = try inputEntries(datasetFolder, runFolder: options.runFolder()) + [fineTuneEntry, generatedEntry].compactMap { $0 }

        let model = trainer.model
        write("model: \(model.parameterCount) parameters, widths \(model.config.autoencoder.widths), "
            + "latents \(model.latentShape.map(String.init).joined(separator: "×")), "
            + "RVQ \(model.config.quantizer.levels)×\(model.config.quantizer.codebookSize)\n")
        let loader = try TrainingLoader(cache: cache, options: loaderOptions(options), start: trainer.position)
        defer { loader.close() }
        write("data: \(loader.rowCount) training images (\(options.trainSubsets.map(\.description).joined(separator: "+"))) "
            + "from \(cache.folder.path), \(loader.batchesPerEpoch) batches of \(options.batchSize) per epoch\n")
        let gridOriginals = try gridImages(cache, subset: options.evaluationSubset)
        let metrics = try TrainAEMetricsLog(url: stage.appendingPathComponent(metricsFile),
                                            keepThrough: options.resume ? trainer.step : nil,
                                            events: TrainingEventLog(stageFolder: stage, firstStep: trainer.step + 1, warn: write))

        // MARK: The loop
        let startStep = trainer.step
        let start = ProgressReporter.monotonicSeconds()
        // `--minutes` counts the training of every session; alone, it plans the schedule's
        // length from the recent steps' speed, revised after every step (`TimeBudgetPlanner`).
        let budgetSeconds = options.minutes.map { $0 * 60 }
        var planner = options.steps == nil
            ? budgetSeconds.map { TimeBudgetPlanner(budgetSeconds: $0, calibrationSteps: calibrationSteps) } : nil
        var reporter: ProgressReporter?
        var smoothedStep: Double?
        var lastRecord: TrainAEStepRecord?
        var stopped = false
        var loopSeconds = 0.0

        func makeReporter() {
            guard reporter == nil, trainer.horizon > 0 else { return }
            let r = ProgressReporter(label: "train-ae", total: trainer.horizon, unit: "step", style: style, write: write)
            r.update(completed: trainer.step)
            reporter = r
        }
        makeReporter()

        while trainer.horizon == 0 || trainer.step < trainer.horizon {
            if shouldStop() { stopped = true; break }
            if let budgetSeconds, trainer.trainingSeconds >= budgetSeconds { break }
            let iterationStart = ProgressReporter.monotonicSeconds()
            if trainer.needsQuantizerStart {
                trainer.startQuantizer(with: try kmeansBatches(loader, from: trainer.position, count: options.kmeansBatches))
                let message = "codebooks started by k-means on \(options.kmeansBatches) batches at step \(trainer.step)"
                if let reporter { reporter.message(message) } else { write(message + "\n") }
            }
            let batch = try loader.next()
            var record = try trainer.train(on: batch)
            let stepSeconds = ProgressReporter.monotonicSeconds() - iterationStart
            smoothedStep = smoothedStep.map { 0.9 * $0 + 0.1 * stepSeconds } ?? stepSeconds
            record.stepSeconds = stepSeconds
            record.imagesPerSecond = Double(batch.count) / stepSeconds
            record.elapsed = trainer.trainingSeconds + stepSeconds
            try metrics.append(record)
            lastRecord = record

            reporter?.update(completed: trainer.step, fields: [
                ProgressField("loss", record.loss), ProgressField("psnr", String(format: "%.2f", record.psnr)),
                ProgressField("img/s", ReportFormat.scaled(Double(batch.count) / (smoothedStep ?? stepSeconds))),
                ProgressField("lr", record.learningRate),
            ])
            trainer.trainingSeconds += ProgressReporter.monotonicSeconds() - iterationStart
            if let planned = planner?.plan(step: trainer.step, trainedSeconds: trainer.trainingSeconds) {
                let first = trainer.horizon == 0
                trainer.setHorizon(planned)
                if first {
                    write("planned \(planned) steps for the time budget (revised as the speed settles)\n")
                    makeReporter()
                }
                reporter?.setTotal(planned)
            }
            if trainer.step % options.checkpointEvery == 0 && trainer.step < trainer.horizon {
                try trainer.saveCheckpoint(to: checkpointURL, imageSize: cache.size)
                reporter?.message("checkpoint at step \(trainer.step)")
            }
            if options.gridEvery > 0 && trainer.step % options.gridEvery == 0 {
                try writeGrid(trainer, originals: gridOriginals, stage: stage, events: metrics.events)
            }
            loopSeconds = ProgressReporter.monotonicSeconds() - start
        }
        reporter?.finish()
        let stepsDone = trainer.step - startStep
        let imagesPerSecond = loopSeconds > 0 ? Double(stepsDone * options.batchSize) / loopSeconds : 0
        if trainer.horizon == 0 { trainer.setHorizon(trainer.step) }

        try trainer.saveCheckpoint(to: checkpointURL, imageSize: cache.size)
        // The model is saved with the EMA weights: its codebooks must be those of the EMA encoder
        // (a fine-tune keeps its source's encoder and codebooks as they are).
        if trainer.ema != nil, fineTuneSource == nil, model.quantizer.isInitialized {
            write(try trainer.withEvaluationWeights {
                try CodebookRefit.refit(model, cache: cache, subsets: Set(options.trainSubsets), seed: options.seed)
            })
        }
        let modelURL = stage.appendingPathComponent(modelFile)
        try trainer.withEvaluationWeights {
            var metadata = ["step": String(trainer.step), "ema_weights": String(trainer.ema != nil)]
            metadata[fineTunedFromKey] = encoderSHA256
            try model.save(to: modelURL, metadata: metadata)
        }
        write("saved \(checkpointURL.path) and \(modelURL.path) at step \(trainer.step)"
            + " (\(ReportFormat.rate(imagesPerSecond, unit: "img")) over \(stepsDone) steps)\n")
        var result = TrainAEResult(stageFolder: stage, modelURL: modelURL, step: trainer.step, horizon: trainer.horizon,
                                   stopped: stopped, evaluation: nil, imagesPerSecond: imagesPerSecond, lastRecord: lastRecord)
        if stopped {
            write("stopped at step \(trainer.step) of \(trainer.horizon): continue with --resume\n")
            return result
        }
        try writeGrid(trainer, originals: gridOriginals, stage: stage, events: metrics.events)

        // MARK: Evaluation and manifest
        let report = try trainer.withEvaluationWeights {
            try evaluate(model, cache: cache, options: options, step: trainer.step, emaWeights: trainer.ema != nil,
                         style: style, write: write)
        }
        try JSONFile.write(report, to: stage.appendingPathComponent(evaluationFile))
        for line in AutoencoderEvaluation.table(report) { write(line + "\n") }
        result.evaluation = report

        let outputs = try [modelFile, checkpointFile, metricsFile, evaluationFile, gridFile].map {
            try TrainAEManifest.entry(stage.appendingPathComponent($0), name: $0)
        }
        var effective = options
        effective.steps = trainer.horizon
        let manifest = TrainAEManifest(createdAt: TrainAEManifest.timestamp(), options: effective, model: modelFile, inputs: inputs,
                                       outputs: outputs,
                                       timings: .init(trainingSeconds: trainer.trainingSeconds, evaluationSeconds: report.seconds,
                                                      steps: trainer.step, imagesPerSecond: imagesPerSecond),
                                       evaluation: report)
        try JSONFile.write(manifest, to: stage.appendingPathComponent(TrainAEManifest.fileName))
        write("manifest: \(stage.appendingPathComponent(TrainAEManifest.fileName).path)\n")
        return result
    }

    /// Evaluates the stage's saved model on the held-out subset, writes `evaluation.json` and
    /// prints the table: `pipeline train-ae --evaluate-only`.
    @discardableResult
    public static func evaluateSaved(_ options: TrainAEOptions, reconstructionsFolder: URL? = nil,
                                     style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 10),
                                     write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput) throws -> AutoencoderEvaluationReport {
        let cache = try DatasetCache.open(options.datasetFolder())
        let stage = options.stageFolder()
        let modelURL = stage.appendingPathComponent(modelFile)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw FileFormatError(.notFound, path: modelURL.path, "no trained autoencoder here (train one with `pipeline train-ae`)")
        }
        let model = try RVQAutoencoder.load(from: modelURL)
        let metadata = try RVQAutoencoder.metadata(of: modelURL)
        let report = try evaluate(model, cache: cache, options: options, step: metadata["step"].flatMap { Int($0) },
                                  emaWeights: metadata["ema_weights"] == "true", reconstructionsFolder: reconstructionsFolder,
                                  style: style, write: write)
        try JSONFile.write(report, to: stage.appendingPathComponent(evaluationFile))
        for line in AutoencoderEvaluation.table(report) { write(line + "\n") }
        return report
    }

    // MARK: - Steps of the stage

    /// Refuses to overwrite a checkpoint unless told to resume or restart; moves the outputs of
    /// a restart aside to the run's `previous/` (a trained model is never deleted); removes the
    /// manifest (the stage is incomplete while it runs).
    static func prepareFolder(_ stage: URL, checkpoint: URL, options: TrainAEOptions,
                              write: (String) -> Void = { _ in }) throws {
        let fileManager = FileManager.default
        let exists = fileManager.fileExists(atPath: checkpoint.path)
        if exists && !options.resume && !options.restart {
            let step = AutoencoderTrainer.checkpointStep(checkpoint).map { " at step \($0)" } ?? ""
            throw TrainAEError("\(checkpoint.path): a training checkpoint\(step) exists; pass --resume to continue it or --restart to start over")
        }
        if options.resume && !exists {
            throw FileFormatError(.notFound, path: checkpoint.path, "no checkpoint to resume from")
        }
        if options.restart, let moved = try PreviousOutputs.moveAside(contentsOf: stage, runFolder: options.runFolder()) {
            write("restart: the previous outputs of \(stage.path) were moved to \(moved.path)\n")
        }
        try? fileManager.removeItem(at: stage.appendingPathComponent(TrainAEManifest.fileName))
    }

    static func loaderOptions(_ options: TrainAEOptions) -> LoaderOptions {
        LoaderOptions(batchSize: options.batchSize, subsets: Set(options.trainSubsets), seed: options.seed,
                      augmentation: options.augment ? .standard : .none)
    }

    /// The dataset cache's files, hashed, named relative to the run folder when inside it.
    static func inputEntries(_ datasetFolder: URL, runFolder: URL) throws -> [TrainAEManifest.FileEntry] {
        let prefix = runFolder.path + "/"
        return try [DatasetCacheLayout.imagesFile, DatasetCacheLayout.manifestFile].compactMap { name in
            let url = datasetFolder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            let path = url.standardizedFileURL.path
            return try TrainAEManifest.entry(url, name: path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path)
        }
    }

    /// The batches at `position` and after it, made on this thread (the same the loader gives).
    static func kmeansBatches(_ loader: TrainingLoader, from position: LoaderPosition, count: Int) throws -> [Tensor] {
        var batches: [Tensor] = []
        var next = position
        for _ in 0..<count {
            let batch = try loader.batch(at: next)
            batches.append(batch.images)
            next = batch.next
        }
        return batches
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
    static func writeGrid(_ trainer: AutoencoderTrainer, originals: Tensor?, stage: URL, events: TrainingEventLog? = nil) throws {
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
            throw FileFormatError(.writeFailed, path: folder.path, "cannot create the folder: \(error.localizedDescription)")
        }
        try PNGImage.write(image, to: folder.appendingPathComponent(String(format: "step-%06d.png", trainer.step)))
        try PNGImage.write(image, to: stage.appendingPathComponent(gridFile))
        events?.image("reconstructions", image, step: trainer.step)
    }

    static func evaluate(_ model: RVQAutoencoder, cache: DatasetCache, options: TrainAEOptions, step: Int?, emaWeights: Bool,
                         reconstructionsFolder: URL? = nil,
                         style: ProgressReporter.Style, write: @escaping (String) -> Void) throws -> AutoencoderEvaluationReport {
        let available = cache.rows(in: [options.evaluationSubset]).count
        let total = min(available, options.evaluationImages ?? available)
        let reporter = ProgressReporter(label: "evaluate", total: total, unit: "img", style: style, write: write)
        defer { reporter.finish() }
        return try AutoencoderEvaluation.evaluate(model: model, cache: cache, subset: options.evaluationSubset,
                                                  batchSize: options.batchSize, limit: options.evaluationImages, step: step,
                                                  emaWeights: emaWeights, reconstructionsFolder: reconstructionsFolder) { done, _ in
            reporter.update(completed: done)
        }
    }
}
