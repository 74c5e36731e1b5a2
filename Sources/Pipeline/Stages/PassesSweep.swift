import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore

/// `pipeline sweep-passes`: one model sampled at several step counts (and seeds), each sampling
/// generated and evaluated into `<run>/reports/passes/<name>-<steps>-s<seed>/` (the images in
/// `samples/`, the scores in `metrics.json`), which the run report's passes table and chart read
/// (`PassesSection`). Run it once per model and sampler: the teacher with Euler, with Heun, the
/// few-step student. The passes each point took are the ones `generate` counted, not the steps asked for.
///
/// A point measured already is kept only when it was made as the sweep would make it now
/// (`PassesSweepRecipe`: the model's SHA-256, sampler, guidance, count, classes, seed and the real
/// images); otherwise it is measured again, saying what changed, and the old folder is moved to
/// the run's `previous/` (`PreviousOutputs`), never deleted.
public enum PassesSweep {
    public struct Options: Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        /// The flow or few-step model (default: the run's flow model).
        public var model: String?
        public var autoencoder: String?
        /// Names the points' folders (default: the model's folder and the sampler, e.g. "flow-heun").
        public var name: String?
        public var sampler = SamplerSettings()
        /// Step counts to sample with (each a point).
        public var steps: [Int] = [1, 2, 4, 8, 16, 40]
        public var seeds: [UInt64] = [0]
        public var guidance: Float = 1
        public var guidanceInterval: ClosedRange<Float>?
        /// Passed on to `generate` (`GenerateStage.Options.namedOptions`): a few-step model refuses a
        /// named solver or guidance other than its own.
        public var namedOptions: Set<GenerateStage.SamplingOption>?
        /// Samples per point; the evaluation protocol's 1,020 of all classes by default.
        public var count = 1020
        public var classes = ["all"]
        /// Real images scored against (default: the run's dataset cache), and the subsets read from a cache.
        public var real: String?
        public var realSubsets: Set<DatasetSubset> = [.validation]
        /// Measure points again even when they were made as they would be now (else those are kept).
        public var force = false

        public init() {}
    }

    /// Where a point's samples are, inside its folder.
    static let samplesFolder = "samples"

    /// The folder of the run's sweep points.
    public static func folder(_ folders: ArtifactFolders) -> URL {
        folders.runFolder.appendingPathComponent(PassesSection.folder)
    }

    /// Generates and evaluates every point; returns the points' folders.
    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput
    ) throws -> [URL] {
        guard !options.steps.isEmpty, options.steps.allSatisfy({ $0 >= 1 }) else {
            throw StageError("sweep-passes: --steps needs one or more positive step counts, got \(options.steps)")
        }
        guard !options.seeds.isEmpty else { throw StageError("sweep-passes: --seeds needs at least one seed") }
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let model =
            options.model.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(ArtifactFolders.flow).appendingPathComponent(TrainFlowStage.modelFile)
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw StageError("\(model.path): no flow model here; pass --model FILE")
        }
        // A few-step model takes its own sampler: its points are named by its method, not the ODE solver's.
        let fewStep = try FlowModel.load(from: model).fewStepInfo(source: model.path)
        let name =
            options.name
            ?? "\(model.deletingLastPathComponent().lastPathComponent)-\(fewStep?.method.rawValue ?? options.sampler.method.rawValue)"
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw StageError("sweep-passes: --name must be a plain folder name, got \"\(name)\"")
        }
        var evaluate = EvaluateStage.Options()
        evaluate.run = options.run
        evaluate.artifacts = options.artifacts
        evaluate.real = options.real
        evaluate.realSubsets = options.realSubsets
        // The sweep compares samplers with one another; the floor is the evaluate stage's to show.
        evaluate.measureFloor = false
        // What every point is made with, but its step count and seed: read (and hashed) only when
        // some point is there to be judged.
        var wanted: ((Int, UInt64) -> PassesSweepRecipe)?
        func recipe(steps: Int, seed: UInt64) throws -> PassesSweepRecipe {
            if wanted == nil {
                wanted = try recipes(options, model: model, fewStep: fewStep, evaluate: evaluate, base: base)
            }
            return wanted!(steps, seed)
        }
        var points: [URL] = []
        for steps in options.steps {
            for seed in options.seeds {
                let point = folder(folders).appendingPathComponent("\(name)-\(steps)-s\(seed)")
                points.append(point)
                let metrics = point.appendingPathComponent(EvaluateStage.metricsFile)
                var why = "\(point.lastPathComponent)"
                if FileManager.default.fileExists(atPath: metrics.path) {
                    if options.force {
                        why += ": --force: measured again"
                    } else {
                        let now = try recipe(steps: steps, seed: seed)
                        let changes: [String]
                        do {
                            changes = now.differences(from: try PassesSweepRecipe(recordedIn: point))
                        } catch {
                            changes = ["what it was made with cannot be read (\(error))"]
                        }
                        if changes.isEmpty {
                            write(
                                "sweep-passes: \(point.lastPathComponent) is measured already with these settings, kept "
                                    + "(--force measures it again)\n")
                            continue
                        }
                        why += ": " + changes.joined(separator: "; ") + ": measured again"
                    }
                }
                // A point is a measurement, not a trained model: replacing it is right, losing it is not.
                if let moved = try PreviousOutputs.moveAside(contentsOf: point, runFolder: folders.runFolder) {
                    why += " (the old point is in \(moved.path))"
                }
                write("sweep-passes: \(why)\n")
                var generate = GenerateStage.Options()
                generate.run = options.run
                generate.artifacts = options.artifacts
                generate.model = model.path
                generate.autoencoder = options.autoencoder
                generate.output = point.appendingPathComponent(samplesFolder).path
                generate.count = options.count
                generate.classes = options.classes
                generate.seed = seed
                generate.sampler = options.sampler
                generate.sampler.steps = steps
                generate.guidance = options.guidance
                generate.guidanceInterval = options.guidanceInterval
                generate.namedOptions = options.namedOptions
                try GenerateStage.run(generate, base: base, write: write)
                var evaluatePoint = evaluate
                evaluatePoint.generated = generate.output
                evaluatePoint.output = point.path
                try EvaluateStage.run(evaluatePoint, base: base, write: write)
            }
        }
        return points
    }

    /// The recipe of the point of each step count and seed as the sweep makes it now: the model
    /// hashed, and the real images read and hashed as the evaluation reads them.
    static func recipes(
        _ options: Options, model: URL, fewStep: FewStepModelInfo?, evaluate: EvaluateStage.Options, base: URL
    ) throws -> (Int, UInt64) -> PassesSweepRecipe {
        let modelSHA256 = try ManifestFile.hashing(model, role: "flow model").sha256
        let realURL = EvaluateStage.locations(evaluate, base: base).real
        // As the evaluation reads them, so that the same files are hashed. A folder of photos is
        // read whole at any side (the evaluation brings every photo to the samples' size), so a
        // small one lists the same files for less work.
        let real = try EvaluateImageLoader.load(
            realURL, subsets: evaluate.realSubsets, maxImages: evaluate.maxImages,
            seed: evaluate.seed &+ RandomStream.evaluationRealImages.salt, side: 8)
        let realSHA256 = try EvaluateManifest.hash(of: real).sha256
        return { steps, seed in
            var sampler = options.sampler
            sampler.steps = steps
            return PassesSweepRecipe(
                modelSHA256: modelSHA256,
                // A few-step model's own sampler, as generate records it.
                sampler: fewStep == nil ? sampler : SamplerSettings(method: .euler, steps: steps),
                guidance: fewStep?.guidance ?? options.guidance,
                guidanceInterval: fewStep?.guidanceInterval ?? options.guidanceInterval ?? 0...1,
                count: options.count, classes: options.classes, seed: seed,
                realSubsets: PassesSweepRecipe.subsetsText(evaluate.realSubsets), realSHA256: realSHA256)
        }
    }
}
