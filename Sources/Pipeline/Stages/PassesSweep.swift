import Datasets
import FileFormats
import Foundation
import LatentFlow

/// `pipeline sweep-passes`: one model sampled at several step counts (and seeds), each sampling
/// generated and evaluated into `<run>/reports/passes/<name>-<steps>-s<seed>/` (the images in
/// `samples/`, the scores in `metrics.json`), which the run report's passes table and chart read
/// (`PassesSection`). Run it once per model and sampler: the teacher with Euler, with Heun, the
/// few-step student. The passes each point took are the ones `generate` counted, not the steps asked for.
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
        /// Samples per point; the evaluation protocol's 1,020 of all classes by default.
        public var count = 1020
        public var classes = ["all"]
        /// Real images scored against (default: the run's dataset cache), and the subsets read from a cache.
        public var real: String?
        public var realSubsets: Set<DatasetSubset> = [.validation]
        /// Measure points again that already have a `metrics.json` (else they are kept).
        public var force = false

        public init() {}
    }

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
        var points: [URL] = []
        for steps in options.steps {
            for seed in options.seeds {
                let point = folder(folders).appendingPathComponent("\(name)-\(steps)-s\(seed)")
                points.append(point)
                let metrics = point.appendingPathComponent(EvaluateStage.metricsFile)
                if !options.force && FileManager.default.fileExists(atPath: metrics.path) {
                    write(
                        "sweep-passes: \(point.lastPathComponent) is measured already, kept (--force measures it again)\n"
                    )
                    continue
                }
                write("sweep-passes: \(point.lastPathComponent)\n")
                var generate = GenerateStage.Options()
                generate.run = options.run
                generate.artifacts = options.artifacts
                generate.model = model.path
                generate.autoencoder = options.autoencoder
                generate.output = point.appendingPathComponent("samples").path
                generate.count = options.count
                generate.classes = options.classes
                generate.seed = seed
                generate.sampler = options.sampler
                generate.sampler.steps = steps
                generate.guidance = options.guidance
                generate.guidanceInterval = options.guidanceInterval
                try GenerateStage.run(generate, base: base, write: write)
                var evaluate = EvaluateStage.Options()
                evaluate.run = options.run
                evaluate.artifacts = options.artifacts
                evaluate.generated = generate.output
                evaluate.real = options.real
                evaluate.realSubsets = options.realSubsets
                // The sweep compares samplers with one another; the floor is the evaluate stage's to show.
                evaluate.measureFloor = false
                evaluate.output = point.path
                try EvaluateStage.run(evaluate, base: base, write: write)
            }
        }
        return points
    }
}
