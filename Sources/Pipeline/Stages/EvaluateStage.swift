import Datasets
import FileFormats
import Foundation
import ImageMetrics
import TensorCore

/// `pipeline evaluate`: scores generated images against held-out real images with metrics that
/// need no downloaded network (multi-scale SWD, the image-statistics kernel distance ISKD on the
/// project's own image features, pixel distribution metrics) and writes `metrics.json`, then `manifest.json` last.
public enum EvaluateStage {
    public struct Options: Codable, Equatable, Sendable {
        /// Generated images (folder or file); nil: `<artifacts>/<run>/samples`.
        public var generated: String?
        /// Real images (dataset cache, image folder or file); nil: `<artifacts>/<run>/dataset`.
        public var real: String?
        /// Subsets read from a real dataset cache: the held-out split by default.
        public var realSubsets: Set<DatasetSubset> = [.validation]
        /// Subsets read when the generated images are a dataset cache too (a real-versus-real
        /// baseline): the training split by default.
        public var generatedSubsets: Set<DatasetSubset> = [.train]
        public var seed: UInt64 = 0
        /// At most this many images per set (chosen at random with the seed).
        public var maxImages: Int?
        /// Also score real images against the real ones at the same counts (`SamplingFloor`).
        public var measureFloor = true
        /// The margin a folder of real photos is framed with (`PhotoFraming`); nil: the margin of
        /// the run's dataset cache (0 without one).
        public var realMargin: Int?
        /// Output folder; nil: `<artifacts>/<run>/reports/evaluate`.
        public var output: String?
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts

        public init() {}
    }

    public struct Result {
        public var metrics: EvaluateMetrics
        public var folder: URL
        public var metricsFile: URL
        public var manifestFile: URL
    }

    public static let metricsFile = "metrics.json"
    public static let manifestFile = "manifest.json"

    /// The folders `options` name, resolved against `base`.
    public static func locations(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    )
        -> (generated: URL, real: URL, output: URL)
    {
        func resolve(_ path: String) -> URL {
            (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)).standardizedFileURL
        }
        let runFolder = resolve(options.artifacts).appendingPathComponent(options.run)
        return (
            options.generated.map(resolve) ?? runFolder.appendingPathComponent(ArtifactFolders.samples),
            options.real.map(resolve) ?? runFolder.appendingPathComponent(ArtifactFolders.dataset),
            options.output.map(resolve) ?? runFolder.appendingPathComponent(ArtifactFolders.evaluateReport)
        )
    }

    /// Runs the stage; progress lines and the final table go to `write`. `shouldStop` (Ctrl-C) is
    /// polled between the parts of the evaluation; a stop throws `DatasetError.interrupted` and
    /// writes nothing.
    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> Result {
        guard !options.run.isEmpty, !options.run.contains("/"), !options.run.hasPrefix(".") else {
            throw DatasetError(.invalidArgument, "--run must be a plain folder name, got \"\(options.run)\"")
        }
        if let maxImages = options.maxImages, maxImages < 2 {
            throw DatasetError(.invalidArgument, "--max-images must be at least 2, not \(maxImages)")
        }
        if let margin = options.realMargin, margin < 0 {
            throw DatasetError(.invalidArgument, "--real-margin must not be negative, not \(margin)")
        }
        let places = locations(options, base: base)
        try checkOutput(places.output, isNotInside: places.real)
        let start = ProgressReporter.monotonicSeconds()

        let generated = try EvaluateImageLoader.load(
            places.generated, subsets: options.generatedSubsets,
            maxImages: options.maxImages, seed: options.seed)
        write(
            "generated: \(generated.set.count) of \(generated.available) images, \(generated.set.width)×\(generated.set.height), \(generated.kind) at \(generated.path)\n"
        )
        for note in generated.notes { write("note: \(note)\n") }
        // A folder of photos is brought to the generated size image by image, so every photo is used.
        let side = generated.set.height == generated.set.width ? generated.set.width : nil
        let framing = try photoFraming(options, real: places.real, side: side, base: base)
        let sampled = EvaluateSampledClasses.read(generated: places.generated)
        if let note = sampled.note { write("note: \(note)\n") }
        let reference = try EvaluateReferenceClasses.resolve(
            sampled: sampled.classes, real: places.real, subsets: options.realSubsets)
        var real = try EvaluateImageLoader.load(
            places.real, subsets: options.realSubsets,
            maxImages: options.maxImages, seed: options.seed &+ RandomStream.evaluationRealImages.salt, side: side,
            framing: framing, classes: reference.ids)
        write(
            "real: \(real.set.count) of \(real.available) images, \(real.set.width)×\(real.set.height), \(real.kind) at \(real.path)\n"
        )
        for note in real.notes { write("note: \(note)\n") }
        if let framed = real.framing {
            write("real: \(real.set.count) photos from \(real.path), \(framed)\n")
        }
        if let line = reference.describe(real) {
            write("reference: \(line)\n")
            real.notes.append("reference: \(line)")
        }
        if generated.kind.hasPrefix("dataset cache"), real.kind.hasPrefix("dataset cache"), generated.path == real.path,
            !options.generatedSubsets.isDisjoint(with: options.realSubsets)
        {
            write(
                "warning: generated and real images come from the same subset of one cache; the scores are not a held-out comparison\n"
            )
        }
        if real.set.height != generated.set.height || real.set.width != generated.set.width {
            real = try matchSize(real, to: generated.set)
            write("note: \(real.notes.last!)\n")
        }
        let loadSeconds = ProgressReporter.monotonicSeconds() - start

        let evaluation = GeneratedImageEvaluation(options: .init(seed: options.seed))
        let report = try untilStopped {
            guard !shouldStop() else { throw GeneratedImageEvaluation.Stopped() }
            return try evaluation.evaluate(
                generated: generated.set, reference: real.set,
                log: { write("  " + $0 + "\n") }, shouldStop: shouldStop)
        }
        var metrics = EvaluateMetrics(generated: .init(generated), real: .init(real), report: report)
        if options.measureFloor {
            metrics.floor = try measureFloor(
                generated: generated, real: real, evaluation: evaluation, options: options,
                write: write, shouldStop: shouldStop)
        }

        try createFolder(places.output)
        // Locked only to write: a stopped or failed evaluation leaves no folder behind.
        let runFolder = ArtifactFolders.resolve(options.artifacts, base: base).appendingPathComponent(options.run)
        let lock = try StageLock.acquire(stageFolder: places.output, runFolder: runFolder)
        defer { lock.release() }
        // The old manifest goes first: a crash while metrics.json is replaced must not leave a
        // complete manifest describing other metrics.
        try StageManifest<Options>.invalidate(in: places.output)
        let metricsURL = places.output.appendingPathComponent(metricsFile)
        try JSONFile.write(metrics, to: metricsURL)
        let manifest = try EvaluateManifest.make(
            options: options, generated: generated, real: real, margin: real.framing == nil ? nil : framing.margin,
            outputs: [metricsURL],
            timings: report.seconds.merging(["load": loadSeconds]) { a, _ in a },
            totalSeconds: ProgressReporter.monotonicSeconds() - start)
        let manifestURL = places.output.appendingPathComponent(manifestFile)
        try JSONFile.write(manifest, to: manifestURL)

        for line in EvaluateSummary.table(metrics) { write(line + "\n") }
        write("metrics: \(metricsURL.path)\n")
        return Result(metrics: metrics, folder: places.output, metricsFile: metricsURL, manifestFile: manifestURL)
    }

    /// The same evaluation of real stand-ins for the generated images (`SamplingFloor`); nil, with
    /// a note saying why, when the real images offer none.
    private static func measureFloor(
        generated: EvaluationImages, real: EvaluationImages, evaluation: GeneratedImageEvaluation,
        options: Options, write: (String) -> Void, shouldStop: () -> Bool
    ) throws -> SamplingFloor? {
        let drawn = try EvaluateFloor.standIns(
            count: generated.set.count, generated: generated, real: real,
            options: options)
        guard let standIns = drawn.images else {
            write("note: no real-versus-real floor: \(drawn.reason ?? "")\n")
            return nil
        }
        write(
            "floor: \(standIns.set.count) real images, \(standIns.kind), in the reference's class mix, against the same real ones\n"
        )
        for note in drawn.notes { write("note: floor: \(note)\n") }
        let report = try untilStopped {
            try evaluation.evaluate(
                generated: standIns.set, reference: real.set,
                log: { write("  floor " + $0 + "\n") }, shouldStop: shouldStop)
        }
        return SamplingFloor(images: .init(standIns), report: report)
    }

    /// `body`, with a stop request turned into the stage's interruption error.
    private static func untilStopped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch is GeneratedImageEvaluation.Stopped {
            throw DatasetError(.interrupted, "evaluation stopped; no metrics were written")
        }
    }

    /// Real images resized (shorter side, Lanczos) and centre-cropped to the generated images' size.
    static func matchSize(_ images: EvaluationImages, to target: ImageSet) throws -> EvaluationImages {
        try matchSize(images, height: target.height, width: target.width)
    }

    /// Real images resized (shorter side, Lanczos) and centre-cropped to `width`×`height` (square only).
    static func matchSize(_ images: EvaluationImages, height: Int, width: Int) throws -> EvaluationImages {
        guard height == width else {
            throw DatasetError(
                .invalidArgument,
                "real images are \(images.set.width)×\(images.set.height) and generated ones \(width)×\(height); only square generated images can be matched by resizing"
            )
        }
        let set = images.set
        let bytesPerImage = height * width * 3
        var pixels = [UInt8](repeating: 0, count: set.count * bytesPerImage)
        for n in 0..<set.count {
            let bytes = Array(set.pixels[(n * set.bytesPerImage)..<((n + 1) * set.bytesPerImage)])
            let image = RGBImage(width: set.width, height: set.height, pixels: bytes)
            let resized = try Cropper.resizeAndCenterCrop(image, size: width).image
            pixels.replaceSubrange((n * bytesPerImage)..<((n + 1) * bytesPerImage), with: resized.pixels)
        }
        var out = images
        out.set = try ImageSet(count: set.count, height: height, width: width, pixels: pixels)
        out.notes.append(
            "real images resized from \(set.width)×\(set.height) to \(width)×\(height) to match the generated ones")
        return out
    }

    /// How a folder of real photos is framed: `--real-margin`, or the run's dataset cache's
    /// margin. Margin 0 for anything but a folder (a cache has its own framing) or when the
    /// generated images are not square (a folder is then read at its own size).
    private static func photoFraming(_ options: Options, real: URL, side: Int?, base: URL) throws -> PhotoFraming {
        guard EvaluateImageLoader.isImageFolder(real) else {
            if options.realMargin != nil {
                throw DatasetError(
                    .invalidArgument,
                    "--real-margin frames a folder of photos; \(real.path) is not one (a dataset cache keeps its own margin)"
                )
            }
            return PhotoFraming()
        }
        guard let side else { return PhotoFraming() }
        if let margin = options.realMargin { return PhotoFraming(margin: margin, origin: "--real-margin \(margin)") }
        let runDataset = ArtifactFolders.resolve(options.artifacts, base: base).appendingPathComponent(options.run)
            .appendingPathComponent(ArtifactFolders.dataset)
        return try PhotoFraming.ofRunDataset(runDataset, side: side)
    }

    private static func checkOutput(_ output: URL, isNotInside source: URL) throws {
        let (o, s) = (output.standardizedFileURL.path, source.standardizedFileURL.path)
        var isDirectory: ObjCBool = false
        let sourceIsFolder =
            FileManager.default.fileExists(atPath: s, isDirectory: &isDirectory) && isDirectory.boolValue
        let isCache = FileManager.default.fileExists(
            atPath: source.appendingPathComponent(DatasetCacheLayout.imagesFile).path)
        if sourceIsFolder && !isCache && (o == s || o.hasPrefix(s + "/")) {
            throw DatasetError(
                .refusedOverwrite,
                "the output folder \(o) is inside the real image folder \(s); choose another --output")
        }
    }

    private static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot create the output folder: \(error.localizedDescription)")
        }
    }
}

/// `metrics.json`: where the images came from and every metric.
public struct EvaluateMetrics: Codable, Equatable, Sendable {
    public struct Source: Codable, Equatable, Sendable {
        public var path: String
        public var kind: String
        public var count: Int
        public var available: Int
        public var notes: [String]
        /// The classes the images were restricted to (the sampled ones); nil: not restricted
        /// (and in files written before references were restricted).
        public var classes: [String]?
        /// How a folder of photos was framed ("shorter side to 144, centre 128 kept (margin 16 of
        /// the run's dataset)"); nil for other sources and in older files.
        public var framing: String?

        init(_ images: EvaluationImages) {
            path = images.path
            kind = images.kind
            count = images.set.count
            available = images.available
            notes = images.notes
            classes = images.classes
            framing = images.framing
        }
    }

    public var generated: Source
    public var real: Source
    public var report: GeneratedImageEvaluation.Report
    /// Real against real at the same counts; nil when not measured (older files, `--no-floor`, or
    /// no real images outside the held-out subsets).
    public var floor: SamplingFloor?

    /// Reads `metrics.json`, also as written before the kernel distance was named for its features.
    public static func read(from url: URL) throws -> EvaluateMetrics {
        try JSONFile.read(EvaluateMetrics.self, from: url, legacyKeys: GeneratedImageEvaluation.Report.legacyKeys)
    }
}
