import DataParallel
import FileFormats
import Foundation
import LatentFlow
import TensorCore

/// `pipeline distill-flow`: turns a trained latent flow (the teacher) into a few-step generator.
///
/// 1. Teacher pairs: noise z and where the teacher's guided ODE takes it, T(z), sampled once and
///    cached in `reflow-pairs.h5` (`ReflowPairFile`); reused whenever the teacher's hash, count,
///    seed, sampler and guidance match, also from the folder a `--restart` moved aside.
/// 2. A student initialised from the teacher is trained on them (`FewStepTrainer`): `reflow`
///    (flow matching on the fixed coupling) or `shortcut` (plus the step size as an input and
///    the self-consistency target). Budgeted, checkpointed and resumable as train-flow is; the
///    budget counts training only, not the pairs.
/// 3. `model.safetensors`: the student's EMA weights with the teacher's statistics and class
///    names, and the `few_step_*` info by which `pipeline generate` samples it in 1, 2, 4… passes.
///
/// The guidance is distilled, not an input: the pairs come from the guided field, so a step
/// costs one network pass where the guided teacher costs two, and the student cannot change it.
public enum DistillFlowStage {
    public static let checkpointFile = StageFiles.checkpoint
    public static let modelFile = StageFiles.model
    public static let metricsFile = "metrics.jsonl"

    /// The configuration the manifest records.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        public var training: FewStepTrainingConfig
        public var pairs: ReflowPairProvenance
        public var batchSize: Int
        public var dataSeed: UInt64
        public var unet: UNetConfig
        public var steps: Int
    }

    public struct Result: Sendable {
        public var folder: URL
        public var model: URL
        public var steps: Int
        public var end: TrainingEnd
        /// True when the pairs came from the cache instead of the teacher.
        public var reusedPairs: Bool
        public var trainingSeconds: Double
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
            return try DistillFlowFollower.run(options, group: ranks, base: base, shouldStop: shouldStop)
        }
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.fewStep)
        let checkpointURL = output.appendingPathComponent(checkpointFile)
        let pairsURL = output.appendingPathComponent(ReflowPairFile.fileName)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }

        let (teacherURL, teacherHash) = try teacherModel(options, folders: folders, base: base)
        let teacher = try FlowModel.load(from: teacherURL)
        guard try teacher.fewStepInfo(source: teacherURL.path) == nil, teacher.config.stepSizeConditioned != true else {
            throw StageError(
                "\(teacherURL.path) is already a few-step model; distil an ordinary flow (train-flow's model)")
        }

        // What the checkpoint says, when resuming: its settings win over the options.
        var training = options.training
        let stageComplete = StageManifest<ManifestConfig>.complete(in: output) != nil
        let movedAside = try TrainingFolderStart.prepare(
            stageFolder: output, checkpoint: checkpointURL, model: output.appendingPathComponent(modelFile),
            runFolder: folders.runFolder, resume: options.resume, restart: options.restart, write: write)
        if options.resume {
            let saved = try FewStepTrainer.checkpointSettings(at: checkpointURL)
            if saved.config != options.training {
                write(
                    "note: resuming with the distillation settings stored in the checkpoint (options given now are ignored)\n"
                )
            }
            training = saved.config
            try TrainingFolderStart.checkStepBudget(
                resumedStep: saved.step, steps: options.steps, checkpoint: checkpointURL, stageComplete: stageComplete,
                write: write)
        }

        let provenance = ReflowPairProvenance(
            teacherSHA256: teacherHash.sha256, count: options.pairs, seed: options.pairSeed,
            sampler: options.teacherSampler, guidance: options.guidance,
            guidanceInterval: options.effectiveGuidanceInterval)
        let (pairs, reused) = try teacherPairs(
            teacher, provenance: provenance, at: pairsURL, movedAside: movedAside,
            runFolder: folders.runFolder, resuming: options.resume, samplingBatch: options.teacherBatch, group: ranks,
            style: style, write: write)
        let pairsHash = try ManifestFile.hashing(pairsURL, role: "reflow pairs")

        let batches: ReflowPairBatches
        let trainer: FewStepTrainer
        let notes = ["teacher_sha256": teacherHash.sha256, "pairs_sha256": pairsHash.sha256]
        if let ranks { _ = try DistillFlowRanks.shareNotes(notes, group: ranks) }
        do {
            batches = try ReflowPairBatches(
                pairs: pairs, statistics: teacher.statistics, batchSize: options.batchSize,
                seed: options.dataSeed)
            trainer = try FewStepTrainer(
                model: try teacher.student(for: training.method), config: training, batches: batches, notes: notes)
        } catch let error as FlowTrainingError {
            throw StageError("distill-flow: \(error.message)")
        }
        if options.resume {
            try trainer.resume(from: checkpointURL)
            write("resumed from \(checkpointURL.path) at step \(trainer.step)\n")
        }
        if let ranks {
            try trainer.join(ranks)
            write("data parallel: \(ranks.size) ranks share each batch of \(options.batchSize); rank 0 writes\n")
        }
        try StageManifest<ManifestConfig>.invalidate(in: output)
        let metrics = try MetricsLog(
            url: output.appendingPathComponent(metricsFile), keepThrough: options.resume ? trainer.step : nil,
            events: TrainingEventLog(stageFolder: output, firstStep: trainer.step + 1, warn: write))
        defer { metrics.close() }

        let interval = options.effectiveGuidanceInterval
        write(
            "distill-flow (\(training.method.rawValue)): student of \(teacherURL.lastPathComponent), "
                + "\(ReportFormat.scaled(Double(trainer.model.parameterCount))) parameters, \(pairs.count) pairs of \(pairs.sampleShape) "
                + "(guidance \(options.guidance) for t in \(interval.lowerBound)...\(interval.upperBound)), batch \(options.batchSize), "
                + "up to \(training.maximumSteps) steps"
                + (training.method == .shortcut
                    ? ", self-consistency on \(ReportFormat.number(training.selfConsistencyFraction * 100))% of each batch"
                    : "") + "\n")

        let reporter = ProgressReporter(
            label: "distill-flow", total: options.steps, unit: "step", resumedAt: trainer.step, style: style,
            write: write)
        var window = FlowStepAverages(buckets: 1)
        var smoothedLoss: Double?
        let sessionStart = ProgressReporter.monotonicSeconds()
        let budget = TrainingBudget(steps: options.steps, seconds: options.minutes.map { $0 * 60 })
        let loop = TrainingLoop(
            trainer: trainer, budget: budget,
            checkpoints: CheckpointCadence(every: options.checkpointEvery) { _ in
                try trainer.saveCheckpoint(to: checkpointURL)
            })
        loop.logEvery = max(options.logEvery, 1)
        let end: TrainingEnd
        do {
            end = try loop.run(
                shouldStop: shouldStop,
                onStep: { report in
                    window.add(report)
                    if report.skipped {
                        reporter.message("step \(report.step): non-finite loss or gradient, update skipped")
                    } else {
                        smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * report.loss } ?? report.loss
                    }
                    reporter.update(
                        completed: report.step,
                        fields: [
                            ProgressField("loss", smoothedLoss ?? .nan),
                            ProgressField("lr", String(format: "%.2e", report.learningRate)),
                        ])
                },
                onLog: { step in
                    try metrics.append(
                        TrainFlowStage.record(
                            window, step: step, elapsed: ProgressReporter.monotonicSeconds() - sessionStart,
                            trainSeconds: trainer.trainingSeconds))
                    window = FlowStepAverages(buckets: 1)
                }, onCheckpoint: { step in reporter.message("checkpoint at step \(step)") })
        } catch {
            reporter.finish()
            throw error
        }
        reporter.finish()

        var info = teacher.info
        info["step"] = String(trainer.step)
        info["weights"] = training.emaDecay == nil ? "trained" : "ema"
        info["teacher_sha256"] = teacherHash.sha256
        let modelURL = output.appendingPathComponent(modelFile)
        let model = try trainer.exportModel(info: info, guidance: options.guidance, guidanceInterval: interval)
        try model.save(to: modelURL)
        let few = try model.fewStepInfo(source: modelURL.path)!
        write(
            "model: \(modelURL.path) (step \(trainer.step), \(end.rawValue)); sample it with "
                + "`pipeline generate --model \(modelURL.path) --steps N`, N in \(few.supportedStepsText)\n")
        if end == .stopped {
            write("stopped at step \(trainer.step); continue with --resume\n")
        } else {
            let config = ManifestConfig(
                training: trainer.config, pairs: provenance, batchSize: options.batchSize,
                dataSeed: options.dataSeed, unet: trainer.model.config, steps: trainer.step)
            let outputs = try [
                (modelURL, "model"), (checkpointURL, "checkpoint"), (metrics.url, "metrics"),
                (pairsURL, "reflow pairs"),
            ]
            .map { try ManifestFile.hashing($0.0, role: $0.1) }
            try StageManifest(
                stage: "distill-flow", config: config, inputs: [teacherHash], outputs: outputs,
                timings: [
                    "total": ProgressReporter.monotonicSeconds() - start, "train_seconds": trainer.trainingSeconds,
                ].merging(TrainFlowStage.communicationTimings(ranks)) { $1 },
                notes: [
                    "ended: \(end.rawValue)", reused ? "reflow pairs reused from the cache" : "reflow pairs sampled",
                ]
            )
            .write(to: output)
        }
        return Result(
            folder: output, model: modelURL, steps: trainer.step, end: end, reusedPairs: reused,
            trainingSeconds: trainer.trainingSeconds)
    }

    static func validate(_ options: Options) throws {
        guard options.steps != nil || options.minutes != nil else {
            throw StageError("give a budget: --steps N and/or --minutes M")
        }
        if let steps = options.steps, steps < 1 { throw StageError("--steps must be positive, got \(steps)") }
        if let minutes = options.minutes, !(minutes > 0) {
            throw StageError("--minutes must be positive, got \(minutes)")
        }
        guard options.batchSize >= 1 else {
            throw StageError("--batch-size must be positive, got \(options.batchSize)")
        }
        guard options.pairs >= options.batchSize else {
            throw StageError(
                "--pairs (\(options.pairs)) must be at least one batch (--batch-size \(options.batchSize))")
        }
        guard options.checkpointEvery >= 1 else {
            throw StageError("--checkpoint-every must be positive, got \(options.checkpointEvery)")
        }
        guard options.teacherBatch >= 1 else {
            throw StageError("--teacher-batch must be positive, got \(options.teacherBatch)")
        }
        guard options.logEvery >= 1 else { throw StageError("--log-every must be positive, got \(options.logEvery)") }
        guard options.guidance.isFinite else { throw StageError("--guidance must be finite, got \(options.guidance)") }
        do {
            try options.teacherSampler.validate()
            try options.training.validate(batchSize: options.batchSize)
        } catch let error as FlowTrainingError {
            throw StageError("distill-flow: \(error.message)")
        }
    }

    /// The teacher's file and hash: the run's train-flow model, checked against its manifest,
    /// or the `--teacher` file as given.
    static func teacherModel(_ options: Options, folders: ArtifactFolders, base: URL) throws -> (URL, ManifestFile) {
        if let teacher = options.teacher {
            let url = ArtifactFolders.resolve(teacher, base: base)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageError(
                    "\(url.path): no teacher model here; train one with `pipeline train-flow` or pass --teacher FILE")
            }
            return (url, try ManifestFile.hashing(url, role: "teacher"))
        }
        let (url, hash) = try UpstreamArtifact.verified(
            TrainFlowStage.modelFile, in: folders.stage(ArtifactFolders.flow),
            stage: "train-flow", producedBy: "pipeline train-flow")
        return (url, ManifestFile(role: "teacher", path: hash.path, bytes: hash.bytes, sha256: hash.sha256))
    }

    /// The pairs of `provenance`: from `url` when it holds them, else from the folder a restart
    /// moved aside (copied back), else sampled from the teacher and written. Pairs made another
    /// way are moved aside with the folder's other outputs first (never deleted), unless a
    /// resume needs them: then the mismatch is an error.
    ///
    /// With a `group` (rank 0 of a data-parallel job) the other ranks get the same pairs: the
    /// cached ones by broadcast, or by sampling the teacher together (`DistillFlowRanks`).
    static func teacherPairs(
        _ teacher: FlowModel, provenance: ReflowPairProvenance, at url: URL, movedAside: URL?,
        runFolder: URL, resuming: Bool, samplingBatch: Int = ReflowPairs.samplingBatch, group: DataParallelGroup? = nil,
        style: ProgressReporter.Style,
        write: @escaping (String) -> Void
    ) throws -> (ReflowPairs, reused: Bool) {
        let classCount = teacher.config.classCount
        func cachedPairs() throws -> (ReflowPairs, reused: Bool) {
            let pairs = try ReflowPairFile.read(from: url, classCount: classCount).pairs
            if let group { try DistillFlowRanks.sendCachedPairs(pairs, provenance: provenance, to: group) }
            return (pairs, true)
        }
        if let cached = try ReflowPairFile.provenance(at: url) {
            if cached == provenance {
                write(
                    "reflow pairs: reusing the \(cached.count) pairs of \(url.path) (same teacher, sampler, guidance and seed)\n"
                )
                return try cachedPairs()
            }
            if resuming {
                throw StageError(
                    "\(url.path): these pairs were made from another teacher or with other settings than the "
                        + "checkpoint's run; resume with the same teacher and options, or start afresh with --restart")
            }
            let folder = url.deletingLastPathComponent()
            if let moved = try PreviousOutputs.moveAside(contentsOf: folder, runFolder: runFolder) {
                write(
                    "reflow pairs: \(url.path) was made another way; the folder's outputs were moved to \(moved.path)\n"
                )
            }
        }
        if let movedAside {
            let previous = movedAside.appendingPathComponent(ReflowPairFile.fileName)
            if try ReflowPairFile.provenance(at: previous) == provenance {
                // Copied under a hidden name and renamed, so a half-copied file never sits at `url`.
                let partial = url.deletingLastPathComponent().appendingPathComponent(
                    ".\(ReflowPairFile.fileName).copying")
                try? FileManager.default.removeItem(at: partial)
                try FileManager.default.copyItem(at: previous, to: partial)
                try FileManager.default.moveItem(at: partial, to: url)
                write("reflow pairs: reusing the \(provenance.count) pairs moved aside to \(previous.path)\n")
                return try cachedPairs()
            }
        }
        let sampler = provenance.sampler
        // Data parallel: each rank samples its share of the batches; the progress is rank 0's share.
        let share =
            group.map {
                ReflowPairs.sampledRows(count: provenance.count, batch: samplingBatch, rank: 0, ranks: $0.size)
                    .count
            } ?? provenance.count
        write(
            "reflow pairs: sampling \(provenance.count) from the teacher, \(sampler.method.rawValue)"
                + (sampler.method == .dopri5 ? "" : " \(sampler.steps) steps") + ", guidance \(provenance.guidance)"
                + (group.map { " (\($0.size) ranks; this one samples \(share))" } ?? "") + "\n")
        if let group { try DistillFlowRanks.announceSampling(provenance, batch: samplingBatch, to: group) }
        let reporter = ProgressReporter(label: "reflow pairs", total: share, unit: "pair", style: style, write: write)
        let pairs: ReflowPairs
        do {
            pairs = try teacher.makeReflowPairs(provenance, batch: samplingBatch, group: group) {
                reporter.update(completed: $0)
            }
        } catch let error as FlowTrainingError {
            reporter.finish()
            throw StageError("distill-flow: sampling the teacher: \(error.message)")
        }
        reporter.finish()
        try ReflowPairFile.write(pairs, provenance: provenance, to: url)
        return (pairs, false)
    }
}
