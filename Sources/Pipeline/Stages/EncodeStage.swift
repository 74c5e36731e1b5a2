import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore
import VQVAE

/// `pipeline encode`: run the trained autoencoder's encoder and quantizer over the prepared
/// dataset (every row, in order) and write the latent cache `latents.h5` (see `LatentCache`)
/// with its manifest.
///
/// The cache appears under its final name only when complete, and the manifest (written last)
/// records its SHA-256; `train-flow` checks both, so an interrupted encode is never used. A
/// complete cache made from the same autoencoder, dataset and settings is kept as it is.
public enum EncodeStage {
    public struct Options: Codable, Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        /// The dataset cache folder (default: `<artifacts>/<run>/dataset`).
        public var dataset: String?
        /// The autoencoder model file (default: `<artifacts>/<run>/autoencoder/model.safetensors`).
        public var autoencoder: String?
        /// The output folder (default: `<artifacts>/<run>/latents`).
        public var output: String?
        public var batchSize = 32
        /// Frozen augmentations per image (0: none).
        public var augmentations = 0
        /// Seeds the augmentation crops.
        public var seed: UInt64 = 0
        /// Encode again even if a complete cache for the same inputs exists.
        public var force = false

        public init() {}
    }

    /// What the manifest records as the stage's configuration.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        public var batchSize: Int
        public var augmentations: Int
        public var augmentationKinds: [String]
        public var seed: UInt64
        public var levels: Int
        public var latentShape: [Int]
    }

    public struct Result: Sendable {
        public var folder: URL
        public var file: URL
        public var count: Int
        public var latentShape: [Int]
        public var levels: Int
        /// True when an up-to-date cache was found and kept.
        public var reused: Bool
        public var seconds: Double
    }

    public static let autoencoderFile = "model.safetensors"

    @discardableResult
    public static func run(
        _ options: Options, base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        style: ProgressReporter.Style = .automatic(everySeconds: 10, everyPercent: 10),
        write: @escaping (String) -> Void = ProgressReporter.writeToStandardOutput,
        shouldStop: @escaping () -> Bool = { false }
    ) throws -> Result {
        let start = ProgressReporter.monotonicSeconds()
        guard options.batchSize >= 1 else {
            throw StageError("--batch-size must be positive, got \(options.batchSize)")
        }
        guard (0...16).contains(options.augmentations) else {
            throw StageError("--augmentations must be in 0...16, got \(options.augmentations)")
        }
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let datasetFolder =
            options.dataset.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.dataset)
        let modelURL = folders.autoencoderModel(options.autoencoder, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.latents)

        let cache = try DatasetCache.open(datasetFolder)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw StageError(
                "\(modelURL.path): no autoencoder model here; train one with `pipeline train-ae` or pass --autoencoder FILE"
            )
        }
        let autoencoder = try RVQAutoencoder.load(from: modelURL)
        guard autoencoder.config.imageSize == cache.size else {
            throw StageError(
                "\(modelURL.path): the autoencoder is for \(autoencoder.config.imageSize) px images, "
                    + "the dataset cache \(cache.folder.path) holds \(cache.size) px images")
        }
        guard autoencoder.config.quantizer.codebookSize <= Int(Int16.max) + 1 else {
            throw StageError(
                "\(modelURL.path): \(autoencoder.config.quantizer.codebookSize) codes per level do not fit the cache's int16 codes"
            )
        }
        let inputs = [
            try ManifestFile.hashing(modelURL, role: "autoencoder"),
            try ManifestFile.hashing(
                datasetFolder.appendingPathComponent(DatasetCacheLayout.manifestFile), role: "dataset manifest"),
        ]
        let config = ManifestConfig(
            batchSize: options.batchSize, augmentations: options.augmentations,
            augmentationKinds: AugmentationVariants.kinds(count: options.augmentations),
            seed: options.seed, levels: autoencoder.config.quantizer.levels,
            latentShape: autoencoder.latentShape)
        let fileURL = output.appendingPathComponent(LatentCache.fileName)
        typealias Manifest = StageManifest<ManifestConfig>

        if !options.force, let existing = Manifest.complete(in: output),
            existing.inputs.map(\.sha256) == inputs.map(\.sha256), existing.config == config,
            let recorded = existing.output("latents"),
            (try? ManifestFile.hashing(fileURL, role: "latents"))?.sha256 == recorded.sha256
        {
            write(
                "latents: \(fileURL.path) is up to date (same autoencoder, dataset and settings); --force encodes again\n"
            )
            return Result(
                folder: output, file: fileURL, count: cache.count, latentShape: config.latentShape,
                levels: config.levels,
                reused: true, seconds: ProgressReporter.monotonicSeconds() - start)
        }

        let lock = try StageLock.acquire(stageFolder: output, runFolder: folders.runFolder)
        defer { lock.release() }
        try Manifest.invalidate(in: output)
        removeStaleTemporaryFiles(in: output, name: LatentCache.fileName)

        write(
            "encoding \(cache.count) images (\(cache.size) px) with \(modelURL.lastPathComponent) into \(config.latentShape) latents, "
                + "\(config.levels) code levels"
                + (options.augmentations > 0 ? ", \(options.augmentations) augmentations each" : "") + "\n")
        let encodeStart = ProgressReporter.monotonicSeconds()
        let writer = try LatentCacheWriter(
            url: fileURL, count: cache.count, latentShape: config.latentShape,
            levels: config.levels, augmentations: options.augmentations)
        let reporter = ProgressReporter(
            label: "encode", total: cache.count * (1 + options.augmentations), unit: "img",
            style: style, write: write)
        do {
            let reader = try SequentialReader(cache: cache, batchSize: options.batchSize)
            for index in 0..<reader.batchCount {
                if shouldStop() {
                    throw StageInterrupted(
                        "encode stopped after \(index * options.batchSize) of \(cache.count) images; nothing was kept")
                }
                let batch = try reader.batch(index)
                let rows = batch.rows
                let encoded = encode(batch.images, with: autoencoder)
                try writer.write(encoded, rows: rows, train: rows.map { cache.subsets[$0] == .train })
                reporter.advance(by: rows.count)
                if options.augmentations > 0 {
                    let stored = try cache.pixels(rows: rows)
                    let bytes = cache.bytesPerImage
                    for variant in 1...options.augmentations {
                        let images = try rows.enumerated().map { k, row in
                            try AugmentationVariants.image(
                                RGBImage(
                                    width: cache.storedSize, height: cache.storedSize,
                                    pixels: Array(stored[(k * bytes)..<((k + 1) * bytes)])),
                                size: cache.size, variant: variant, row: row, seed: options.seed)
                        }
                        let tensor = Tensor(
                            shape: [rows.count, 3, cache.size, cache.size],
                            values: try ImageTensorConversion.nchw(from: images))
                        try writer.writeVariant(encode(tensor, with: autoencoder), rows: rows, variant: variant)
                        reporter.advance(by: rows.count)
                    }
                }
            }
            reporter.finish()
            try writer.finish(
                labels: cache.labels, subsets: cache.subsets, classNames: cache.classNames,
                attributes: [
                    "image_size": String(cache.size), "autoencoder_sha256": inputs[0].sha256,
                    "autoencoder_path": modelURL.path,
                    "dataset_manifest_sha256": inputs[1].sha256,
                    "augmentation_kinds": config.augmentationKinds.joined(separator: ","),
                    "augmentation_seed": String(options.seed),
                ])
        } catch {
            reporter.finish()
            writer.abandon()
            throw error
        }
        let encodeSeconds = ProgressReporter.monotonicSeconds() - encodeStart
        let outputs = [try ManifestFile.hashing(fileURL, role: "latents")]
        let total = ProgressReporter.monotonicSeconds() - start
        try Manifest(
            stage: "encode", config: config, inputs: inputs, outputs: outputs,
            timings: ["encode": encodeSeconds, "total": total],
            notes: ["statistics over \(writer.trainRows) training rows"]
        ).write(to: output)
        let rate = Double(cache.count * (1 + options.augmentations)) / max(encodeSeconds, 1e-9)
        write(
            "latents: \(fileURL.path) (\(ReportFormat.bytes(outputs[0].bytes)), \(ReportFormat.rate(rate, unit: "img")))\n"
        )
        write(
            "  continuous mean \(format(writer.continuousStatistics.mean)) std \(format(writer.continuousStatistics.std))\n"
        )
        return Result(
            folder: output, file: fileURL, count: cache.count, latentShape: config.latentShape, levels: config.levels,
            reused: false, seconds: total)
    }

    /// Continuous latents, quantized latents and codes of a batch of images.
    static func encode(_ images: Tensor, with autoencoder: RVQAutoencoder) -> EncodedBatch {
        let continuous = withoutGradients { autoencoder.encodeContinuous(Variable(images)).value }
        let (quantized, codes) = autoencoder.quantize(continuous)
        return EncodedBatch(
            continuous: continuous, quantized: quantized, codes: codes.map { Int16(truncatingIfNeeded: $0) })
    }

    static func format(_ values: [Float]) -> String {
        "[" + values.map { String(format: "%.3f", $0) }.joined(separator: ", ") + "]"
    }

    /// Deletes temporary files an earlier, killed writer of `name` left in `folder`
    /// (`.<name>.tmp-<pid>-…` of a process that is no longer running).
    static func removeStaleTemporaryFiles(in folder: URL, name: String) {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let pid = entry.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
            if let pid, pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(entry))
        }
    }
}

/// One encoded batch.
struct EncodedBatch {
    var continuous: Tensor
    var quantized: Tensor
    var codes: [Int16]
}
