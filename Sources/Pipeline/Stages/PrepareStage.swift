import Datasets
import Foundation
import TensorCore

/// `pipeline prepare`: read a dataset (Oxford Flowers 102, an image folder or synthetic flowers),
/// decode, resize and crop it into the HDF5 image cache, and say what went in.
public enum PrepareStage {
    public enum SourceKind: String, CaseIterable, Codable, Sendable {
        case oxford, folder, synthetic
    }

    public struct Options: Codable, Equatable, Sendable {
        public var source: SourceKind = .synthetic
        /// The source folder (Oxford or image folder).
        public var data: String?
        public var size = 128
        public var margin = 0
        /// gzip level of the stored images (0: uncompressed).
        public var gzip = 1
        /// Synthetic flowers: how many, in how many classes.
        public var count = 2000
        public var classes = 10
        /// Seeds the synthetic images and the random splits of folder and synthetic sources.
        public var seed: UInt64 = 0
        public var validationFraction = 0.1
        public var testFraction = 0.1
        /// Oxford: skip photos that `setid.mat` lists but `jpg/` lacks, instead of failing.
        public var allowMissing = false
        /// The cache folder; nil: `artifacts/<run>/dataset`.
        public var output: String?
        public var run = ArtifactFolders.defaultRun
        public var threads = BLASRuntime.configuredThreads

        public init() {}
    }

    /// The cache folder of `options`: `--output`, or `artifacts/<run>/dataset` under `base`.
    public static func outputFolder(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL {
        if let output = options.output {
            let url = output.hasPrefix("/") ? URL(fileURLWithPath: output) : base.appendingPathComponent(output)
            return url.standardizedFileURL
        }
        return base.appendingPathComponent(ArtifactFolders.defaultArtifacts).appendingPathComponent(options.run)
            .appendingPathComponent(ArtifactFolders.dataset).standardizedFileURL
    }

    /// The dataset source `options` describe.
    /// - Throws: `DatasetError.invalidArgument` when a folder source has no `data` folder or the
    ///   run name is not a plain folder name.
    public static func source(_ options: Options) throws -> DatasetSource {
        let split = RandomSplit(validation: options.validationFraction, test: options.testFraction, seed: options.seed)
        func folder() throws -> URL {
            guard let data = options.data, !data.isEmpty else {
                throw DatasetError(
                    .invalidArgument, "--source \(options.source.rawValue) needs --data DIR (the dataset folder)")
            }
            return URL(fileURLWithPath: data).standardizedFileURL
        }
        switch options.source {
        case .oxford: return .oxford(root: try folder(), allowMissingImages: options.allowMissing)
        case .folder: return .folder(root: try folder(), split: split)
        case .synthetic:
            return .synthetic(count: options.count, classes: options.classes, seed: options.seed, split: split)
        }
    }

    /// Runs the stage: catalog (all label checks), then the cache, with progress on `write`.
    /// - Parameters:
    ///   - style: progress style (default: a terminal bar or plain log lines).
    ///   - write: where progress, warnings and the summary go.
    ///   - shouldStop: polled between chunks of images (Ctrl-C); a stop leaves no cache.
    @discardableResult
    public static func run(
        _ options: Options, style: ProgressReporter.Style = .automatic(everySeconds: 10, everyPercent: 10),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> DatasetPreparer.Result {
        guard !options.run.isEmpty, !options.run.contains("/"), !options.run.hasPrefix(".") else {
            throw DatasetError(.invalidArgument, "--run must be a plain folder name, got \"\(options.run)\"")
        }
        let source = try source(options)
        let catalogStart = ProgressReporter.monotonicSeconds()
        let catalog = try source.catalog()
        let catalogSeconds = ProgressReporter.monotonicSeconds() - catalogStart
        for line in PrepareSummary.catalogLines(catalog) { write(line + "\n") }

        // The cache folder is replaced whole (built beside it, then renamed into place), so it is
        // its parent, the run folder, that is locked while it is written (once the source is known
        // to be readable: a bad source leaves no folder behind).
        let runLock = try RunLock.acquireUnlessHeld(in: outputFolder(options).deletingLastPathComponent().path)
        defer { runLock?.release() }
        var prepareOptions = PrepareOptions(
            size: options.size, margin: options.margin, gzipLevel: options.gzip,
            threads: max(1, options.threads))
        prepareOptions.pipelineVersion = PipelineVersion.current
        var preparer = DatasetPreparer(options: prepareOptions)
        let reporter = ProgressReporter(
            label: "prepare", total: catalog.items.count, unit: "img", style: style, write: write)
        preparer.progress = { done, _, skipped in
            reporter.update(completed: done, fields: skipped > 0 ? [ProgressField("skipped", "\(skipped)")] : [])
        }
        preparer.log = { reporter.message($0) }
        preparer.shouldStop = shouldStop
        let result: DatasetPreparer.Result
        do {
            result = try preparer.prepare(catalog, into: outputFolder(options), catalogSeconds: catalogSeconds)
        } catch {
            reporter.finish()
            throw error
        }
        reporter.finish()
        for line in PrepareSummary.resultLines(result.manifest, folder: result.folder) { write(line + "\n") }
        return result
    }
}
