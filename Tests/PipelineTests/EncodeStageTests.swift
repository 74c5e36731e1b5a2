import Datasets
import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import VQVAE
import XCTest

/// A run folder shared by the flow stage tests: a synthetic dataset of 30 images at 32 px in 3
/// classes (with a 4 px margin) and a tiny RVQ autoencoder (32 px → 4×4×4, 3 levels of 16 codes)
/// whose codebooks went through one training pass.
final class FlowStageFixture {
    static let shared = try! FlowStageFixture()

    let root: URL
    let run = "fixture"
    var artifacts: String { root.appendingPathComponent("artifacts").path }
    var datasetFolder: URL { root.appendingPathComponent("artifacts/fixture/dataset") }
    var autoencoderURL: URL { root.appendingPathComponent("artifacts/fixture/autoencoder/model.safetensors") }
    private var encoded: URL?

    private init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("flow-stages-\(UUID().uuidString)")
        // A static instance is never deinitialised: remove its folder when the test bundle ends.
        XCTestObservationCenter.shared.addTestObserver(FolderRemoval(root))
        var prepare = PrepareStage.Options()
        prepare.count = 30
        prepare.classes = 3
        prepare.size = 32
        prepare.margin = 4
        prepare.output = root.appendingPathComponent("artifacts/fixture/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })

        var config = RVQAutoencoderConfig()
        config.autoencoder = AutoencoderConfig().scaled(widths: 0.125)
        config.quantizer = QuantizerConfig(levels: 3, codebookSize: 16, dimension: 4)
        config.quantizer.kmeansIterations = 3
        config.imageSize = 32
        var generator = SeededGenerator(seed: 1)
        let model = RVQAutoencoder(config, generator: &generator)
        let cache = try DatasetCache.open(root.appendingPathComponent("artifacts/fixture/dataset"))
        let batch = try SequentialReader(cache: cache, batchSize: 16).batch(0)
        _ = model.trainingForward(Variable(batch.images), generator: &generator)
        try FileManager.default.createDirectory(
            at: autoencoderURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try model.save(to: autoencoderURL)
    }

    /// Removes a folder once every test of the bundle has run.
    private final class FolderRemoval: NSObject, XCTestObservation {
        let folder: URL
        init(_ folder: URL) { self.folder = folder }
        func testBundleDidFinish(_ testBundle: Bundle) { try? FileManager.default.removeItem(at: folder) }
    }

    func encodeOptions(output: URL? = nil) -> EncodeStage.Options {
        var options = EncodeStage.Options()
        options.run = run
        options.artifacts = artifacts
        options.batchSize = 8
        options.output = output?.path
        return options
    }

    /// The run's latent cache folder, encoded once (with one augmentation per image).
    func latents() throws -> URL {
        if let encoded { return encoded }
        var options = encodeOptions()
        options.augmentations = 1
        let result = try EncodeStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })
        encoded = result.folder
        return result.folder
    }

    /// Fills `runFolder` (created if needed) with copies of this run's dataset, autoencoder and
    /// latents: a run of its own whose later stages leave the shared fixture untouched.
    func seedRun(_ runFolder: URL) throws {
        let latents = try latents()
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        for (source, name) in [
            (datasetFolder, "dataset"), (autoencoderURL.deletingLastPathComponent(), "autoencoder"),
            (latents, "latents"),
        ] {
            try FileManager.default.copyItem(at: source, to: runFolder.appendingPathComponent(name))
        }
    }

    /// train-flow options for a tiny network on this run's data.
    func trainOptions(output: URL, steps: Int) -> TrainFlowStage.Options {
        var options = TrainFlowStage.Options()
        options.run = run
        options.artifacts = artifacts
        options.output = output.path
        options.steps = steps
        options.batchSize = 8
        options.base = 8
        options.multipliers = [1, 2]
        options.attentionLevels = 1
        options.checkpointEvery = 3
        options.logEvery = 2
        options.training.warmupSteps = 2
        options.training.learningRate = 2e-3
        options.evalEvery = 0  // the evaluation tests turn it on
        return options
    }
}

final class EncodeStageTests: XCTestCase {
    /// Computed: a test class is instantiated to list its tests, which must not build the fixture.
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("encode-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testEncodeWritesTheLatentCacheAndManifest() throws {
        var lines = ""
        let result = try EncodeStage.run(
            fixture.encodeOptions(output: scratch), style: .log(everySeconds: 0, everyPercent: 0),
            write: { lines += $0 })
        XCTAssertFalse(result.reused)
        XCTAssertTrue(lines.contains("encoding 30 images (32 px)"), lines)
        let cache = try LatentCache(url: result.file)
        XCTAssertEqual(cache.count, 30)
        XCTAssertEqual(cache.latentShape, [4, 4, 4])
        XCTAssertEqual(cache.levels, 3)
        XCTAssertEqual(cache.augmentations, 0)
        let dataset = try DatasetCache.open(fixture.datasetFolder)
        XCTAssertEqual(cache.labels, dataset.labels)
        XCTAssertEqual(cache.subsets, dataset.subsets)
        XCTAssertEqual(cache.classNames, dataset.classNames)
        XCTAssertEqual(cache.autoencoderSHA256, try SHA256.hashFile(at: fixture.autoencoderURL).hex)

        // The stored latents are the autoencoder's, for the centre-cropped images in row order.
        let autoencoder = try RVQAutoencoder.load(from: fixture.autoencoderURL)
        let images = try SequentialReader(cache: dataset, batchSize: 30).batch(0).images
        let continuous = withoutGradients { autoencoder.encodeContinuous(Variable(images)).value }
        let stored = try cache.latents(.continuous, rows: Array(0..<30))
        XCTAssertLessThan(stored.maxAbsoluteDifference(continuous), 1e-4)
        let (quantized, codes) = autoencoder.quantize(stored)
        XCTAssertEqual(try cache.latents(.quantized, rows: Array(0..<30)), quantized)
        XCTAssertEqual(try cache.codes(rows: Array(0..<30)), codes.map { Int16($0) })

        // Statistics over the training rows.
        let train = cache.rows(in: [.train])
        let measured = ChannelStatistics.measure(try cache.latents(.continuous, rows: train))
        let recorded = try cache.statistics(.continuous)
        for c in 0..<4 {
            XCTAssertEqual(recorded.mean[c], measured.mean[c], accuracy: 1e-4)
            XCTAssertEqual(recorded.std[c], measured.std[c], accuracy: 1e-4)
        }

        let manifest = try StageManifest<EncodeStage.ManifestConfig>.read(from: scratch)
        XCTAssertTrue(manifest.isComplete)
        XCTAssertEqual(manifest.output("latents")?.sha256, try SHA256.hashFile(at: result.file).hex)
        XCTAssertEqual(manifest.inputs.first?.sha256, cache.autoencoderSHA256)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)),
            ["latents.h5", "manifest.json"], "no temporary or lock files left behind")
    }

    func testUpToDateCacheIsKeptUnlessForced() throws {
        var options = fixture.encodeOptions(output: scratch)
        let first = try EncodeStage.run(options, write: { _ in })
        var lines = ""
        let second = try EncodeStage.run(options, write: { lines += $0 })
        XCTAssertTrue(second.reused)
        XCTAssertTrue(lines.contains("up to date"), lines)
        options.force = true
        let third = try EncodeStage.run(options, write: { _ in })
        XCTAssertFalse(third.reused)
        let again = try LatentCache(url: third.file)
        XCTAssertEqual(
            try again.latents(.continuous, rows: [0, 5]),
            try LatentCache(url: first.file).latents(.continuous, rows: [0, 5]))
    }

    func testAugmentationsAreStoredAsVariants() throws {
        var options = fixture.encodeOptions(output: scratch)
        options.augmentations = 2
        let result = try EncodeStage.run(options, write: { _ in })
        let cache = try LatentCache(url: result.file)
        XCTAssertEqual(cache.augmentations, 2)
        let variants = try cache.latents(.continuous, rows: [3, 7], variants: true)
        XCTAssertEqual(variants.shape, [2, 3, 4, 4, 4])
        XCTAssertEqual(try cache.file.attribute("augmentation_kinds"), "flip,crop")

        // Variant 1 of row 3 is the encoding of its mirrored centre crop.
        let dataset = try DatasetCache.open(fixture.datasetFolder)
        let autoencoder = try RVQAutoencoder.load(from: fixture.autoencoderURL)
        let mirrored = Augmentation.horizontalFlip(
            try Cropper.centerCrop(try dataset.image(row: 3), width: 32, height: 32))
        let tensor = Tensor(shape: [1, 3, 32, 32], values: try ImageTensorConversion.nchw(from: [mirrored]))
        let expected = withoutGradients { autoencoder.encodeContinuous(Variable(tensor)).value }
        let variant1 = Tensor(shape: [1, 4, 4, 4], values: Array(variants.values[64..<128]))
        XCTAssertLessThan(variant1.maxAbsoluteDifference(expected), 1e-4)
        XCTAssertNotEqual(
            Array(variants.values[0..<64]), Array(variants.values[128..<192]), "the crop variant differs from the image"
        )
    }

    /// A stop request mid-way leaves neither a cache nor a manifest (nor temporary files), and
    /// a forced re-encode that is interrupted makes the old cache unusable rather than stale.
    func testInterruptedEncodeLeavesNothingUsable() throws {
        var calls = 0
        XCTAssertThrowsError(
            try EncodeStage.run(
                fixture.encodeOptions(output: scratch), write: { _ in },
                shouldStop: {
                    calls += 1
                    return calls > 2
                })
        ) { error in
            XCTAssertTrue(error is StageInterrupted, "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])

        var options = fixture.encodeOptions(output: scratch)
        try EncodeStage.run(options, write: { _ in })
        options.force = true
        XCTAssertThrowsError(try EncodeStage.run(options, write: { _ in }, shouldStop: { true }))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("manifest.json").path))
        var train = fixture.trainOptions(output: scratch.appendingPathComponent("flow"), steps: 1)
        train.latents = scratch.path
        XCTAssertThrowsError(try TrainFlowStage.run(train, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("pipeline encode"), "\(error)")
        }
    }

    func testMissingAutoencoderIsAClearError() throws {
        var options = fixture.encodeOptions(output: scratch)
        options.autoencoder = scratch.appendingPathComponent("nothing.safetensors").path
        XCTAssertThrowsError(try EncodeStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("nothing.safetensors") && "\(error)".contains("train-ae"), "\(error)")
        }
        options.autoencoder = nil
        options.batchSize = 0
        XCTAssertThrowsError(try EncodeStage.run(options, write: { _ in }))
    }
}
