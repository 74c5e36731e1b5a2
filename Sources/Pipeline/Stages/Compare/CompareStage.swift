import Datasets
import FileFormats
import Foundation
import LatentFlow

/// `pipeline compare`: the latent model (`flow/`) against the pixel baseline (`pixel-flow/`) at
/// equal training budget, sampled with the same sampler, NFE, seed and guidance, and evaluated
/// against the same held-out real images.
///
/// For each space, a model with a complete manifest is reused, otherwise it is trained (or an
/// interrupted run resumed) with `train-flow`; samples (`latent-samples/`, `pixel-samples/`) and
/// evaluations (`reports/evaluate-latent`, `reports/evaluate-pixel`) are reused when they match the
/// requested settings and redone otherwise. The latent samples are compare's own, not `generate`'s:
/// compare draws every class in turn (a class mix like the held-out images'), where `generate`
/// draws a readable grid of ten. The report goes to `reports/compare/`: `report.md`,
/// `report.html`, `report.json`, the two grids, `loss.svg` and `swd.svg`, and `manifest.json` last.
public enum CompareStage {
    public struct Result: Sendable {
        public var folder: URL
        public var report: CompareReport
        /// Every file written into `folder`, manifest last.
        public var files: [URL]
    }

    public static let evaluationFolders: [TrainFlowStage.Space: String] = [
        .latent: "reports/evaluate-latent", .pixel: "reports/evaluate-pixel",
    ]
    public static let samplesFolders: [TrainFlowStage.Space: String] = [
        .latent: "latent-samples", .pixel: "pixel-samples",
    ]
    public static let gridFiles: [TrainFlowStage.Space: String] = [
        .latent: "latent-grid.png", .pixel: "pixel-grid.png",
    ]

    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        try options.validate()
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(ArtifactFolders.compareReport)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }
        try StageManifest<ManifestConfig>.invalidate(in: output)

        var summaries: [TrainFlowStage.Space: CompareReport.SpaceSummary] = [:]
        var inputs: [ManifestFile] = []
        for space in [TrainFlowStage.Space.latent, .pixel] {
            let locations = SpaceLocations(
                space: space, folders: folders, run: options.run,
                training: space == .latent ? options.latentTraining : options.pixelTraining)
            let prepared = try prepareSpace(
                space, options: options, locations: locations, folders: folders, base: base, style: style,
                write: { write("[compare \(space.rawValue)] " + $0) }, shouldStop: shouldStop)
            let gridName = gridFiles[space]!
            let gridSource = prepared.samples.appendingPathComponent(GenerateStage.gridFile)
            var summary = prepared.summary
            if let data = FileManager.default.contents(atPath: gridSource.path) {
                try AtomicFile.write(data, to: output.appendingPathComponent(gridName))
                summary.grid = gridName
            }
            summaries[space] = summary
            inputs += prepared.inputs
        }

        let report = CompareReport(
            run: options.run, createdAt: ISO8601DateFormatter().string(from: Date()),
            minutesBudget: options.minutes, sampler: samplerDescription(options.sampler),
            guidance: options.guidance, guidanceInterval: options.guidanceInterval,
            seed: options.seed, count: options.count,
            latent: summaries[.latent]!, pixel: summaries[.pixel]!)
        let files = try writeReport(report, to: output)
        let outputs = try files.map { try ManifestFile.hashing($0, role: $0.lastPathComponent) }
        let config = ManifestConfig(
            minutes: options.minutes, steps: options.steps, count: options.count, classes: options.classes,
            seed: options.seed, sampler: options.sampler, guidance: options.guidance,
            guidanceInterval: options.guidanceInterval, evaluationMaxImages: options.evaluationMaxImages,
            realSubsets: options.realSubsets.map(\.description).sorted())
        try StageManifest(
            stage: "compare", config: config, inputs: inputs, outputs: outputs,
            timings: ["total": ProgressReporter.monotonicSeconds() - start]
        ).write(to: output)
        let manifest = output.appendingPathComponent(StageManifest<ManifestConfig>.fileName)
        for line in summaryLines(report) { write(line + "\n") }
        write("report: \(output.appendingPathComponent(CompareReport.htmlFile).path)\n")
        return Result(folder: output, report: report, files: files + [manifest])
    }

    /// One space made ready: its model, samples and evaluation, and their numbers.
    struct PreparedSpace {
        var summary: CompareReport.SpaceSummary
        var samples: URL
        var inputs: [ManifestFile]
    }

    /// Where one model, its samples and its evaluation live, and how the model is trained if it
    /// must be. Compare uses the run's `flow/`, `samples/`… folders; the ablations one folder per
    /// variant and seed.
    struct SpaceLocations {
        var training: URL
        var samples: URL
        var evaluation: URL
        /// train-flow settings for a model trained here (run, artifacts, space, output, budget and
        /// resume/restart are set by `train`).
        var trainingOptions: TrainFlowStage.Options
        /// Why a complete model in `training` was trained with other settings (nil: reuse it);
        /// such a model is retrained from scratch.
        var modelMismatch: (CompareReuse.TrainingManifest) -> String? = { _ in nil }
        /// Whether a complete model trained to another budget is retrained here (its folder moved
        /// to `previous/`) rather than refused. The ablations own their folders; compare's
        /// `flow/` and `pixel-flow/` are the models train-flow and train-pixel made, recorded in
        /// the run's ledger and maybe hours of work, so compare names the difference and stops.
        var retrainsOtherBudgets = false

        init(training: URL, samples: URL, evaluation: URL, trainingOptions: TrainFlowStage.Options) {
            self.training = training
            self.samples = samples
            self.evaluation = evaluation
            self.trainingOptions = trainingOptions
        }

        /// Compare's own folders for a space.
        init(space: TrainFlowStage.Space, folders: ArtifactFolders, run: String, training: TrainFlowStage.Options) {
            self.init(
                training: folders.stage(space.folder), samples: folders.stage(samplesFolders[space]!),
                evaluation: folders.root.appendingPathComponent(run).appendingPathComponent(evaluationFolders[space]!),
                trainingOptions: training)
        }
    }

    static func prepareSpace(
        _ space: TrainFlowStage.Space, options: Options, locations: SpaceLocations, folders: ArtifactFolders,
        base: URL, style: ProgressReporter.Style, write: @escaping (String) -> Void,
        shouldStop: @escaping () -> Bool
    ) throws -> PreparedSpace {
        var actions: [String: String] = [:]
        // 1. The model.
        let trainingFolder = locations.training
        var manifest = try CompareReuse.trainedModel(in: trainingFolder)
        var restart = false
        if let existing = manifest, let why = locations.modelMismatch(existing) {
            write("retraining the model in \(trainingFolder.path) (\(why) there)\n")
            manifest = nil
            restart = true
        }
        // Equal compute is the point of the comparison: a model trained to another budget is
        // never reused as if it were equal.
        let budget = TrainFlowStage.Budget(steps: options.steps, minutes: options.minutes)
        if let existing = manifest, let why = CompareReuse.budgetMismatch(existing, budget: budget) {
            guard locations.retrainsOtherBudgets else {
                throw StageError(
                    "\(trainingFolder.path): the \(space.rawValue) model there was \(why), so it would not be "
                        + "compared at equal compute; give compare the budget it was trained with, or retrain it "
                        + "with that budget (`pipeline train-flow --space \(space.rawValue) --restart`, which moves it "
                        + "to previous/)")
            }
            write("retraining the model in \(trainingFolder.path) (it was \(why))\n")
            manifest = nil
            restart = true
        }
        if manifest == nil {
            actions["model"] = try train(
                space, options: options, training: locations.trainingOptions, restart: restart,
                folder: trainingFolder, base: base, style: style, write: write, shouldStop: shouldStop)
            manifest = try CompareReuse.trainedModel(in: trainingFolder)
            guard manifest != nil else {
                throw StageError("\(trainingFolder.path): training ended without a complete manifest")
            }
        } else {
            actions["model"] = "reused"
            let unknown =
                manifest!.config.budget == nil && (budget.steps != nil || budget.minutes != nil)
                ? "; trained before budgets were recorded, so taken as trained to \(budget)" : ""
            write("reusing the trained model in \(trainingFolder.path) (step \(manifest!.config.steps)\(unknown))\n")
        }
        let modelURL = trainingFolder.appendingPathComponent(TrainFlowStage.modelFile)
        let modelHash = try ManifestFile.hashing(modelURL, role: "\(space.rawValue) model")
        // Latent samples are only as good as their decoder: samples decoded by another are redone.
        let decoderHash =
            try space == .latent
            ? ManifestFile.hashing(folders.autoencoderModel(options.autoencoder, base: base), role: "autoencoder")
                .sha256
            : nil

        // 2. The samples.
        let samplesFolder = locations.samples
        var regenerated = false
        if let why = CompareReuse.samplesMismatch(
            in: samplesFolder, modelSHA256: modelHash.sha256, autoencoderSHA256: decoderHash,
            space: space, count: options.count, classes: options.classes, seed: options.seed,
            sampler: options.sampler, guidance: options.guidance,
            guidanceInterval: options.guidanceInterval)
        {
            guard !shouldStop() else {
                throw StageInterrupted("compare stopped before sampling the \(space.rawValue) model")
            }
            write("sampling \(options.count) images into \(samplesFolder.path) (\(why) there)\n")
            var generate = GenerateStage.Options()
            generate.run = options.run
            generate.artifacts = options.artifacts
            generate.space = space
            generate.model = modelURL.path
            generate.autoencoder = space == .latent ? options.autoencoder : nil
            generate.output = samplesFolder.path
            generate.count = options.count
            generate.classes = options.classes
            generate.seed = options.seed
            generate.sampler = options.sampler
            generate.guidance = options.guidance
            generate.guidanceInterval = options.guidanceInterval
            generate.maximumBatch = options.maximumBatch
            try GenerateStage.run(generate, base: base, write: write)
            regenerated = true
            actions["samples"] = "generated"
        } else {
            write("reusing the samples in \(samplesFolder.path)\n")
            actions["samples"] = "reused"
        }
        let sidecar = try JSONFile.read(
            GenerateStage.Sidecar.self, from: samplesFolder.appendingPathComponent(GenerateStage.sidecarFile))

        // 3. The evaluation.
        let real = folders.stage(ArtifactFolders.dataset)
        var evaluate = EvaluateStage.Options()
        evaluate.run = options.run
        evaluate.artifacts = options.artifacts
        evaluate.generated = samplesFolder.path
        evaluate.real = real.path
        evaluate.realSubsets = options.realSubsets
        evaluate.seed = options.seed
        evaluate.maxImages = options.evaluationMaxImages
        let evaluationFolder = locations.evaluation
        evaluate.output = evaluationFolder.path
        let metrics: EvaluateMetrics
        let mismatch: String? =
            regenerated
            ? "new samples"
            : CompareReuse.evaluationMismatch(
                in: evaluationFolder, generated: samplesFolder,
                real: real, options: evaluate)
        if let why = mismatch {
            guard !shouldStop() else {
                throw StageInterrupted("compare stopped before evaluating the \(space.rawValue) samples")
            }
            write("evaluating into \(evaluationFolder.path) (\(why))\n")
            do {
                metrics = try EvaluateStage.run(evaluate, base: base, write: write, shouldStop: shouldStop).metrics
            } catch let error as DatasetError where error.kind == .interrupted {
                throw StageInterrupted("compare stopped while evaluating the \(space.rawValue) samples")
            }
            actions["evaluation"] = "computed"
        } else {
            write("reusing the evaluation in \(evaluationFolder.path)\n")
            metrics = try EvaluateMetrics.read(from: evaluationFolder.appendingPathComponent(EvaluateStage.metricsFile))
            actions["evaluation"] = "reused"
        }

        let curves = try TrainingCurves.read(trainingFolder.appendingPathComponent(TrainFlowStage.metricsFile))
        let summary = CompareSummaryBuilder.make(
            space: space, actions: actions, training: manifest!, curves: curves,
            sidecar: sidecar, metrics: metrics)
        let inputs = [
            modelHash,
            try ManifestFile.hashing(
                samplesFolder.appendingPathComponent(GenerateStage.sidecarFile),
                role: "\(space.rawValue) samples"),
            try ManifestFile.hashing(
                evaluationFolder.appendingPathComponent(EvaluateStage.metricsFile),
                role: "\(space.rawValue) metrics"),
        ]
        return PreparedSpace(summary: summary, samples: samplesFolder, inputs: inputs)
    }

    /// Trains (or resumes) one model with the shared budget; returns what was done.
    static func train(
        _ space: TrainFlowStage.Space, options: Options, training: TrainFlowStage.Options, restart: Bool = false,
        folder: URL, base: URL, style: ProgressReporter.Style, write: @escaping (String) -> Void,
        shouldStop: @escaping () -> Bool
    ) throws -> String {
        guard options.minutes != nil || options.steps != nil else {
            throw StageError(
                "\(folder.path): no complete \(space.rawValue) model; give a training budget with --minutes M")
        }
        var training = training
        training.run = options.run
        training.artifacts = options.artifacts
        training.space = space
        training.output = folder.path
        training.steps = options.steps
        training.minutes = options.minutes
        let checkpoint = folder.appendingPathComponent(TrainFlowStage.checkpointFile)
        let resuming = !restart && FileManager.default.fileExists(atPath: checkpoint.path)
        training.resume = resuming
        training.restart = restart
        var action = "trained"
        if resuming {
            // The budget passes unchanged: train-flow's --minutes already counts the training of
            // every session (the checkpoint carries the time trained), so the resumed session
            // trains what is left of it, and the schedule is planned for the whole budget.
            action = "resumed"
            let done = (try? TrainingCurves.read(folder.appendingPathComponent(TrainFlowStage.metricsFile)))?
                .lastMinutes
            write(
                "resuming the interrupted \(space.rawValue) training in \(folder.path)"
                    + (done.map { " (\(ReportFormat.number($0)) min trained so far)" } ?? "") + "\n")
        } else {
            write("training the \(space.rawValue) model into \(folder.path)\n")
        }
        let result = try TrainFlowStage.run(training, base: base, style: style, write: write, shouldStop: shouldStop)
        if result.end == .stopped {
            throw StageInterrupted(
                "compare stopped while training the \(space.rawValue) model; run compare again to resume it")
        }
        return action
    }

    static func samplerDescription(_ sampler: SamplerSettings) -> String {
        (sampler.method == .dopri5
            ? "dopri5 (rtol \(sampler.relativeTolerance), atol \(sampler.absoluteTolerance))"
            : "\(sampler.method.rawValue), \(sampler.steps) steps")
            + (sampler.shift != 1 ? ", shift \(sampler.shift)" : "")
    }

    /// Writes the charts, the grids' report files and `report.json`; returns them.
    static func writeReport(_ report: CompareReport, to folder: URL) throws -> [URL] {
        let loss = CompareCharts.loss(report), swd = CompareCharts.swd(report)
        let documents: [(String, String)] = [
            (CompareReport.lossChartFile, loss.svg()),
            (CompareReport.swdChartFile, swd.svg()),
            (CompareReport.markdownFile, CompareDocuments.markdown(report)),
            (CompareReport.htmlFile, CompareDocuments.html(report, lossChart: loss, swdChart: swd)),
        ]
        var files: [URL] = []
        for grid in [report.latent.grid, report.pixel.grid].compactMap({ $0 }) {
            files.append(folder.appendingPathComponent(grid))
        }
        for (name, text) in documents {
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: url)
            files.append(url)
        }
        let json = folder.appendingPathComponent(CompareReport.jsonFile)
        try AtomicFile.write(try report.jsonData(), to: json)
        files.append(json)
        return files
    }

    /// The lines printed at the end: the headline numbers.
    static func summaryLines(_ report: CompareReport) -> [String] {
        var lines = ["compare: " + CompareTables.settings(report)]
        let rows =
            CompareTables.metrics(report).filter { $0.label.hasPrefix("SWD ×10³ mean") || $0.label.hasPrefix("ISKD") }
            + CompareTables.cost(report).filter {
                ["training steps", "seconds per image (sampling + decoding)"].contains($0.label)
            }
        for row in rows {
            lines.append(
                "  " + row.label.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + "latent \(row.latent)   pixel \(row.pixel)   \(row.difference)")
        }
        return lines
    }
}
