import FileFormats
import Foundation
import LatentFlow

/// `pipeline compare --variants`: the flow trainer's ablations. Every variant (the baseline with
/// one option flipped, `AblationVariant`) is trained with each seed 0..<N at the same budget into
/// `<artifacts>/<run>/ablations/<variant>/seed-<k>/flow`, sampled into `…/samples` and evaluated
/// into `…/evaluate` with compare's settings and code (`CompareStage.prepareSpace`, so models,
/// samples and evaluations with complete manifests and the same settings are reused, and an
/// interrupted training resumes). The report — one row per variant, mean ± spread over seeds and
/// the paired difference to the baseline — goes to `reports/ablations/`, `manifest.json` last.
public enum AblationStage {
    public struct Result: Sendable {
        public var folder: URL
        public var report: AblationReport
        /// Every file written into `folder`, manifest last.
        public var files: [URL]
    }

    public static let folder = "ablations"

    /// The folder of one variant and seed (holding `flow/`, `samples/` and `evaluate/`).
    public static func modelFolder(_ folders: ArtifactFolders, variant: AblationVariant, seed: Int) -> URL {
        folders.stage(folder).appendingPathComponent(variant.rawValue).appendingPathComponent("seed-\(seed)")
    }

    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        style: ProgressReporter.Style = .automatic(everySeconds: 30, everyPercent: 5),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        try options.validate()
        let compare = options.compare
        let folders = try ArtifactFolders(artifacts: compare.artifacts, run: compare.run, base: base)
        let output =
            compare.output.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(ArtifactFolders.reports).appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }
        try StageManifest<ManifestConfig>.invalidate(in: output)

        let variants = options.effectiveVariants
        let baseTraining = options.space == .latent ? compare.latentTraining : compare.pixelTraining
        var results: [AblationVariant: [AblationReport.SeedResult]] = [:]
        var resolutions: [Int] = []
        var inputs: [ManifestFile] = []
        for variant in variants {
            for seed in 0..<options.seeds {
                let prefix = "[ablation \(variant.rawValue) seed \(seed)] "
                let root = modelFolder(folders, variant: variant, seed: seed)
                var training = baseTraining
                training.training = variant.apply(to: baseTraining.training)
                training.training.seed = UInt64(seed)
                training.dataSeed = UInt64(seed)
                var locations = CompareStage.SpaceLocations(
                    training: root.appendingPathComponent(ArtifactFolders.flow),
                    samples: root.appendingPathComponent(ArtifactFolders.samples),
                    evaluation: root.appendingPathComponent("evaluate"), trainingOptions: training)
                let expected = training
                locations.modelMismatch = { manifest in
                    if let why = variant.mismatch(trained: manifest.config.training, expected: expected.training) {
                        return why
                    }
                    if manifest.config.dataSeed != expected.dataSeed { return "data seed \(manifest.config.dataSeed)" }
                    if manifest.config.space != options.space { return "space \(manifest.config.space.rawValue)" }
                    return nil
                }
                // A variant's folder is the ablations' own: a model of another budget is retrained there.
                locations.retrainsOtherBudgets = true
                let prepared = try CompareStage.prepareSpace(
                    options.space, options: compare, locations: locations, folders: folders,
                    base: base, style: style, write: { write(prefix + $0) },
                    shouldStop: shouldStop)
                let summary = prepared.summary
                if resolutions.isEmpty { resolutions = summary.swdResolutions }
                results[variant, default: []].append(
                    AblationReport.SeedResult(
                        seed: UInt64(seed), actions: summary.actions, swdMean: summary.swdMean,
                        swdPerLevel: resolutions.map { r in
                            summary.swdResolutions.firstIndex(of: r).map { summary.swdPerLevel[$0] } ?? .nan
                        },
                        iskd: summary.iskd, trainingSteps: summary.trainingSteps,
                        trainingSeconds: summary.trainingMinutes * 60,
                        finalLoss: summary.finalLoss))
                inputs += prepared.inputs.map { file in
                    var file = file
                    file.role = "\(variant.rawValue) seed \(seed) " + file.role
                    return file
                }
            }
        }

        let baseline = results[.baseline]
        let rows = variants.map {
            AblationReport.Row(variant: $0, seeds: results[$0] ?? [], levels: resolutions.count, baseline: baseline)
        }
        let report = AblationReport(
            run: compare.run, createdAt: ISO8601DateFormatter().string(from: Date()), space: options.space,
            seedCount: options.seeds, minutesBudget: compare.minutes, stepsBudget: compare.steps,
            sampler: CompareStage.samplerDescription(compare.sampler), guidance: compare.guidance,
            sampleSeed: compare.seed, count: compare.count, swdResolutions: resolutions, rows: rows)
        var files: [URL] = []
        for (name, data) in [
            (AblationReport.markdownFile, Data(AblationDocuments.markdown(report).utf8)),
            (AblationReport.htmlFile, Data(AblationDocuments.html(report).utf8)),
            (AblationReport.jsonFile, try report.jsonData()),
        ] {
            let url = output.appendingPathComponent(name)
            try AtomicFile.write(data, to: url)
            files.append(url)
        }
        let outputs = try files.map { try ManifestFile.hashing($0, role: $0.lastPathComponent) }
        let config = ManifestConfig(
            compare: CompareStage.ManifestConfig(
                minutes: compare.minutes, steps: compare.steps, count: compare.count, seed: compare.seed,
                sampler: compare.sampler, guidance: compare.guidance,
                guidanceInterval: compare.guidanceInterval,
                evaluationMaxImages: compare.evaluationMaxImages,
                realSubsets: compare.realSubsets.map(\.description).sorted()),
            variants: variants, seeds: options.seeds, space: options.space)
        try StageManifest(
            stage: "ablations", config: config, inputs: inputs, outputs: outputs,
            timings: ["total": ProgressReporter.monotonicSeconds() - start]
        ).write(to: output)
        let (header, table) = AblationDocuments.table(report)
        write("ablations: " + AblationDocuments.settings(report) + "\n")
        for cells in table {
            write(
                "  "
                    + zip(header, cells).filter {
                        ["variant", "SWD ×10³ mean", "Δ SWD ×10³ mean", "ISKD ×10³", "Δ ISKD ×10³"].contains($0.0)
                    }
                    .map { "\($0.0) \($0.1)" }.joined(separator: "   ") + "\n")
        }
        write("report: \(output.appendingPathComponent(AblationReport.markdownFile).path)\n")
        return Result(
            folder: output, report: report,
            files: files + [output.appendingPathComponent(StageManifest<ManifestConfig>.fileName)])
    }
}
