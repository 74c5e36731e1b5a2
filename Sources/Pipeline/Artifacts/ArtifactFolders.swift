import Foundation

/// Where a run's artifacts live: `<artifacts>/<run>/<stage>/`, e.g. `artifacts/default/latents`.
public struct ArtifactFolders: Equatable, Sendable {
    /// Stage folder names, the only place they are spelled (`RunStage.folder` maps the stages
    /// of `pipeline run` onto them).
    public static let dataset = "dataset", autoencoder = "autoencoder", decoder = "decoder", latents = "latents",
        flow = "flow", pixelFlow = "pixel-flow", flowLatents = "flow-latents", samples = "samples",
        pixelSamples = "pixel-samples", reports = "reports", evaluateReport = "reports/evaluate",
        compareReport = "reports/compare", fewStep = "fewstep"

    /// The folder of the runs and the run's name when none is given: the one place they are spelled.
    public static let defaultArtifacts = "artifacts", defaultRun = "default"

    /// The artifacts folder (absolute).
    public let root: URL
    public let run: String

    /// - Parameters:
    ///   - artifacts: the artifacts folder, relative to `base` unless absolute.
    ///   - run: a plain folder name.
    /// - Throws: `StageError` for a run name that is not a plain folder name.
    public init(
        artifacts: String = defaultArtifacts, run: String = defaultRun,
        base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws {
        guard !run.isEmpty, !run.contains("/"), !run.hasPrefix(".") else {
            throw StageError("--run must be a plain folder name, got \"\(run)\"")
        }
        self.root = Self.resolve(artifacts, base: base)
        self.run = run
    }

    /// `<artifacts>/<run>`.
    public var runFolder: URL { root.appendingPathComponent(run) }

    /// `<artifacts>/<run>/<stage>`.
    public func stage(_ name: String) -> URL {
        runFolder.appendingPathComponent(name)
    }

    /// The autoencoder model a stage reads: the `--autoencoder` path when given (resolved against
    /// `base`), else the run's `autoencoder/model.safetensors`.
    public func autoencoderModel(_ option: String?, base: URL) -> URL {
        option.map { Self.resolve($0, base: base) }
            ?? stage(Self.autoencoder).appendingPathComponent(EncodeStage.autoencoderFile)
    }

    /// A path option: absolute as given, relative to `base` otherwise.
    public static func resolve(
        _ path: String, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL {
        (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)).standardizedFileURL
    }
}
