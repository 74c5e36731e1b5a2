import Datasets
import FileFormats
import Foundation
import ImageMetrics
import Pipeline
import TensorCore
import XCTest

final class EvaluateStageTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `count` synthetic flowers of `size` px as PNGs in `name`, starting at image `first`.
    @discardableResult
    private func pngFolder(_ name: String, count: Int, size: Int = 32, first: Int = 0) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let flowers = try SyntheticFlowers(classCount: 3, seed: 5)
        for i in 0..<count {
            try PNGImage.write(
                flowers.image(index: first + i, size: size),
                to: url.appendingPathComponent(String(format: "%04d.png", i)))
        }
        return url
    }

    private func options(generated: URL, real: URL) -> EvaluateStage.Options {
        var options = EvaluateStage.Options()
        options.generated = generated.path
        options.real = real.path
        options.output = folder.appendingPathComponent("out").path
        return options
    }

    private func quiet(_: String) {}

    func testFoldersAreComparedAndTheResultsWrittenWithAManifest() throws {
        let generated = try pngFolder("generated", count: 6)
        let real = try pngFolder("real", count: 7, first: 100)
        // The grid beside the samples is left out, and so is an image of another size, with notes.
        try PNGImage.write(
            RGBImage(width: 96, height: 64, fill: (9, 9, 9)), to: generated.appendingPathComponent("grid.png"))
        try PNGImage.write(
            RGBImage(width: 16, height: 16, fill: (9, 9, 9)), to: generated.appendingPathComponent("zz.png"))
        var text = ""
        let result = try EvaluateStage.run(options(generated: generated, real: real)) { text += $0 }
        XCTAssertTrue(text.contains("generated: 6 of 6 images, 32×32, image folder"), text)
        XCTAssertTrue(text.contains("left out 1 sample grid(s): grid.png"), text)
        XCTAssertTrue(text.contains("left out 1 image(s) not of the common size 32×32: zz.png (16×16)"), text)
        XCTAssertTrue(text.contains("SWD ×10³"), text)
        // The kernel distance is named for its features, never "KID" (it is not on Inception features).
        XCTAssertTrue(text.contains("ISKD ×10³"), text)
        XCTAssertTrue(text.contains("image-statistics kernel distance"), text)
        XCTAssertFalse(text.contains("KID"), text)
        let document = try String(contentsOf: result.metricsFile, encoding: .utf8)
        XCTAssertTrue(document.contains("\"imageStatisticsKernelDistance\""), document)
        XCTAssertFalse(document.lowercased().contains("kid"), document)
        XCTAssertTrue(text.contains("metrics: \(result.metricsFile.path)"), text)

        let metrics = try JSONFile.read(EvaluateMetrics.self, from: result.metricsFile)
        XCTAssertEqual(metrics, result.metrics)
        XCTAssertEqual(metrics.report.slicedWasserstein.resolutions, [32, 16])
        XCTAssertEqual(metrics.generated.count, 6)
        XCTAssertEqual(metrics.real.count, 7)
        XCTAssertGreaterThan(metrics.report.slicedWasserstein.mean, 0)

        let manifest = try JSONFile.read(EvaluateManifest.self, from: result.manifestFile)
        XCTAssertEqual(manifest.stage, "evaluate")
        XCTAssertEqual(manifest.status, "complete")
        XCTAssertEqual(manifest.inputs["generated"]?.files, 6)
        XCTAssertEqual(manifest.inputs["real"]?.files, 7)
        XCTAssertEqual(manifest.outputs.map(\.name), ["metrics.json"])
        XCTAssertEqual(manifest.outputs[0].sha256, try SHA256.hashFile(at: result.metricsFile).hex)
        // Nothing else in the output folder (no temporary files left behind).
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: result.folder.path).sorted(),
            ["manifest.json", "metrics.json"])
    }

    /// Real photos of many sizes and aspect ratios (PNG and JPEG) are all used: each brought to
    /// the generated size as `prepare` does (shorter side, Lanczos-3, centre crop); only a sample
    /// grid is left out. (They used to be filtered to their most common size: here 1 of 5.)
    func testEveryPhotoOfAFolderOfManySizesIsUsed() throws {
        let generated = try pngFolder("generated", count: 6)
        let real = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        let flowers = try SyntheticFlowers(classCount: 3, seed: 5)
        let shapes: [(String, Int, Int)] = [
            ("a.png", 64, 40), ("b.jpg", 50, 50), ("c.png", 45, 70), ("d.jpeg", 90, 60),
            ("e.png", 24, 20),
        ]
        var expected: [RGBImage] = []
        for (i, (name, width, height)) in shapes.enumerated() {
            let square = try flowers.image(index: 200 + i, size: max(width, height))
            let photo = try Cropper.centerCrop(square, width: width, height: height)
            let url = real.appendingPathComponent(name)
            if name.hasSuffix("png") {
                try PNGImage.write(photo, to: url)
            } else {
                try JPEGImage.write(photo, to: url, quality: 95)
            }
            expected.append(try Cropper.resizeAndCenterCrop(try ImageFile.read(from: url), size: 32).image)
        }
        try PNGImage.write(
            RGBImage(width: 96, height: 64, fill: (9, 9, 9)), to: real.appendingPathComponent("grid.png"))

        var text = ""
        let result = try EvaluateStage.run(options(generated: generated, real: real)) { text += $0 }
        XCTAssertTrue(text.contains("real: 5 of 5 images, 32×32, image folder"), text)
        XCTAssertTrue(text.contains("left out 1 sample grid(s): grid.png"), text)
        XCTAssertTrue(
            text.contains(
                "5 image(s) resized (shorter side to 32 px, Lanczos-3) and centre-cropped to 32×32, 1 of them enlarged"),
            text)
        XCTAssertEqual(result.metrics.real.count, 5)

        let loaded = try EvaluateImageLoader.load(real, subsets: [], maxImages: nil, seed: 0, side: 32)
        XCTAssertEqual(loaded.set.count, 5)
        XCTAssertEqual(loaded.set.pixels, expected.flatMap(\.pixels), "as prepare would crop them")
        XCTAssertEqual(try EvaluateImageLoader.load(real, subsets: [], maxImages: 3, seed: 0, side: 32).set.count, 3)
    }

    /// metrics.json written before the kernel distance was renamed still reads (compare reuses it).
    func testMetricsWrittenWithTheOldKernelDistanceKeysStillRead() throws {
        let images = try pngFolder("images", count: 4)
        let result = try EvaluateStage.run(options(generated: images, real: images), write: quiet)
        let current = try String(contentsOf: result.metricsFile, encoding: .utf8)
        let old = current.replacingOccurrences(of: "\"imageStatisticsKernelDistance\"", with: "\"kernelDistance\"")
            .replacingOccurrences(of: "\"iskd\"", with: "\"kid\"")
        XCTAssertNotEqual(old, current)
        let url = folder.appendingPathComponent("old-metrics.json")
        try old.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try EvaluateMetrics.read(from: url), result.metrics)
    }

    func testTheSameImagesScoreZeroAndTheSeedFixesEverything() throws {
        let images = try pngFolder("images", count: 5)
        let first = try EvaluateStage.run(options(generated: images, real: images), write: quiet)
        XCTAssertEqual(first.metrics.report.slicedWasserstein.mean, 0)
        XCTAssertEqual(first.metrics.report.pixels.jensenShannon, 0)
        let other = try pngFolder("other", count: 5, first: 50)
        let a = try EvaluateStage.run(options(generated: other, real: images), write: quiet)
        let b = try EvaluateStage.run(options(generated: other, real: images), write: quiet)
        XCTAssertEqual(a.metrics.report.slicedWasserstein, b.metrics.report.slicedWasserstein)
        XCTAssertEqual(a.metrics.report.imageStatisticsKernelDistance, b.metrics.report.imageStatisticsKernelDistance)
        XCTAssertEqual(a.metrics.report.pixels, b.metrics.report.pixels)
    }

    /// The real images come from the held-out split of a prepared cache by default, and are
    /// resized to the generated images' size when they differ.
    func testTheDefaultRealImagesAreTheCachesHeldOutSplit() throws {
        var prepare = PrepareStage.Options()
        prepare.count = 40
        prepare.classes = 2
        prepare.size = 64
        prepare.margin = 8
        prepare.output = folder.appendingPathComponent("artifacts/r1/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 1000, everyPercent: 100), write: quiet)
        try pngFolder("artifacts/r1/samples", count: 4)
        var options = EvaluateStage.Options()
        options.run = "r1"
        options.maxImages = 3
        var text = ""
        let result = try EvaluateStage.run(options, base: folder) { text += $0 }
        XCTAssertTrue(text.contains("generated: 3 of 4 images"), text)
        XCTAssertTrue(text.contains("real: 3 of 4 images, 64×64, dataset cache (validation)"), text)
        XCTAssertTrue(text.contains("real images resized from 64×64 to 32×32"), text)
        XCTAssertEqual(
            result.folder.path, folder.appendingPathComponent("artifacts/r1/reports/evaluate").standardizedFileURL.path)
        XCTAssertEqual(result.metrics.report.width, 32)

        // The cache against itself, train versus validation: a real-versus-real baseline.
        options.generated = folder.appendingPathComponent("artifacts/r1/dataset").path
        options.maxImages = nil
        text = ""
        let baseline = try EvaluateStage.run(options, base: folder) { text += $0 }
        XCTAssertTrue(text.contains("generated: 32 of 32 images, 64×64, dataset cache (train)"), text)
        XCTAssertEqual(baseline.metrics.report.slicedWasserstein.resolutions, [64, 32, 16])
    }

    /// Real images from the cache's other subsets stand in for the generated ones, as many, with
    /// the same seed: the score real images get at these counts. None, with the reason, when the
    /// real images are a folder, the generated ones are real, or there are too few to draw from.
    func testTheFloorScoresRealImagesInPlaceOfTheGenerated() throws {
        var prepare = PrepareStage.Options()
        prepare.count = 40
        prepare.classes = 2
        prepare.size = 32
        prepare.output = folder.appendingPathComponent("artifacts/f/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 1000, everyPercent: 100), write: quiet)
        let noise = try noiseFolder("noise", count: 16)
        var options = EvaluateStage.Options()
        options.run = "f"
        options.generated = noise.path
        var text = ""
        let result = try EvaluateStage.run(options, base: folder) { text += $0 }
        let floor = try XCTUnwrap(result.metrics.floor, text)
        XCTAssertEqual(floor.images.kind, "dataset cache (test+train)", "never the held-out images themselves")
        XCTAssertEqual(floor.images.count, 16)
        XCTAssertEqual(floor.report.referenceCount, result.metrics.report.referenceCount)
        XCTAssertEqual(floor.report.options, result.metrics.report.options, "the same seed, so the same projections")
        XCTAssertLessThan(
            floor.report.slicedWasserstein.mean, result.metrics.report.slicedWasserstein.mean * 0.7,
            "real flowers are closer to real flowers than noise is")
        XCTAssertLessThan(floor.report.pixels.jensenShannon, result.metrics.report.pixels.jensenShannon * 0.7)
        XCTAssertTrue(text.contains("real vs real"), text)
        let written = try JSONFile.read(EvaluateMetrics.self, from: result.metricsFile)
        XCTAssertEqual(written.floor, floor)
        let again = try XCTUnwrap(try EvaluateStage.run(options, base: folder, write: quiet).metrics.floor)
        XCTAssertEqual(again.report.slicedWasserstein, floor.report.slicedWasserstein, "deterministic")
        XCTAssertEqual(
            again.report.imageStatisticsKernelDistance, floor.report.imageStatisticsKernelDistance, "deterministic")

        func floorNote(_ change: (inout EvaluateStage.Options) throws -> Void) throws -> (SamplingFloor?, String) {
            var changed = options
            try change(&changed)
            var text = ""
            let metrics = try EvaluateStage.run(changed, base: folder) { text += $0 }.metrics
            return (metrics.floor, text)
        }
        var (none, note) = try floorNote { $0.measureFloor = false }
        XCTAssertNil(none)
        XCTAssertFalse(note.contains("real vs real"), note)
        (none, note) = try floorNote { $0.generated = try self.noiseFolder("many", count: 40).path }
        XCTAssertNil(none)
        XCTAssertTrue(
            note.contains(
                "no real-versus-real floor: the test+train subset(s) hold 36 images, fewer than the 40 generated"), note
        )
        (none, note) = try floorNote { $0.real = try self.pngFolder("real", count: 8).path }
        XCTAssertNil(none)
        XCTAssertTrue(note.contains("no real-versus-real floor: the real images are not a dataset cache"), note)
        (none, note) = try floorNote { $0.generated = self.folder.appendingPathComponent("artifacts/f/dataset").path }
        XCTAssertNil(none)
        XCTAssertTrue(note.contains("no real-versus-real floor: the generated images are real ones already"), note)
    }

    /// `count` images of uniform random pixels, `size` px, as PNGs in `name`.
    private func noiseFolder(_ name: String, count: Int, size: Int = 32) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var random = SeededGenerator(seed: 11)
        for i in 0..<count {
            let pixels = (0..<(size * size * 3)).map { _ in UInt8.random(in: 0...255, using: &random) }
            try PNGImage.write(
                RGBImage(width: size, height: size, pixels: pixels), to: url.appendingPathComponent("\(i).png"))
        }
        return url
    }

    func testFloatSamplesInHDF5AndSafetensorsAreRead() throws {
        let flowers = try SyntheticFlowers(classCount: 3, seed: 1)
        let images = try (0..<4).map { try flowers.image(index: $0, size: 16) }
        let floats = try ImageTensorConversion.nchw(from: images)
        let h5 = folder.appendingPathComponent("samples.h5")
        let file = try HDF5File.create(at: h5)
        try file.createDataset("samples", type: .float32, shape: [4, 3, 16, 16]).write(floats)
        try file.commit()
        let tensors = folder.appendingPathComponent("samples.safetensors")
        try SafetensorsFile(tensors: ["images": SafetensorsTensor(floats: floats, shape: [4, 3, 16, 16])]).write(
            to: tensors)
        let png = try pngFolder("png", count: 4, size: 16)
        let fromH5 = try EvaluateImageLoader.load(h5, subsets: [.validation], maxImages: nil, seed: 0)
        let fromTensors = try EvaluateImageLoader.load(tensors, subsets: [.validation], maxImages: nil, seed: 0)
        XCTAssertEqual(fromH5.set, fromTensors.set)
        XCTAssertEqual(fromH5.set.count, 4)
        // Floats from [-1, 1] round back to the very bytes they came from.
        XCTAssertEqual(fromH5.set.pixels, images.flatMap(\.pixels))
        XCTAssertEqual(try EvaluateImageLoader.load(png, subsets: [], maxImages: 2, seed: 0).set.count, 2)
    }

    func testBadInputsAreClearErrors() throws {
        let good = try pngFolder("good", count: 3)
        let missing = folder.appendingPathComponent("nowhere")
        XCTAssertThrowsError(try EvaluateStage.run(options(generated: missing, real: good), write: quiet)) {
            XCTAssertTrue(String(describing: $0).contains("\(missing.path): not found"), "\($0)")
        }
        let broken = try pngFolder("broken", count: 2)
        try Data("not a png".utf8).write(to: broken.appendingPathComponent("0001.png"))
        XCTAssertThrowsError(try EvaluateStage.run(options(generated: broken, real: good), write: quiet)) {
            XCTAssertTrue(String(describing: $0).contains("0001.png"), "\($0)")
        }
        let nan = folder.appendingPathComponent("nan.safetensors")
        try SafetensorsFile(tensors: [
            "samples": SafetensorsTensor(floats: [Float](repeating: .nan, count: 3 * 16 * 16), shape: [1, 3, 16, 16])
        ])
        .write(to: nan)
        XCTAssertThrowsError(try EvaluateStage.run(options(generated: nan, real: good), write: quiet)) {
            XCTAssertTrue(String(describing: $0).contains("NaN"), "\($0)")
        }
        // Writing into the real image folder is refused.
        var inside = options(generated: good, real: good)
        inside.output = good.appendingPathComponent("metrics").path
        XCTAssertThrowsError(try EvaluateStage.run(inside, write: quiet)) {
            XCTAssertTrue(String(describing: $0).contains("inside the real image folder"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: good.appendingPathComponent("metrics").path))
    }
}

extension EvaluateStageTests {
    func testAStopRequestEndsTheEvaluationWithoutWritingAnything() throws {
        let images = try pngFolder("stop", count: 3)
        var polls = 0
        var options = options(generated: images, real: images)
        options.output = folder.appendingPathComponent("stopped").path
        XCTAssertThrowsError(
            try EvaluateStage.run(
                options, write: { _ in },
                shouldStop: {
                    polls += 1
                    return polls > 1
                })
        ) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .interrupted, "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("stopped").path))
    }
}

extension EvaluateStageTests {
    /// `pipeline generate` writes `grid.png`, `samples.json` and `images/*.png`: only the
    /// individual samples are read.
    func testTheGenerateLayoutIsReadWithoutTheGrid() throws {
        let samples = folder.appendingPathComponent("samples")
        try pngFolder("samples/images", count: 4)
        try PNGImage.write(
            RGBImage(width: 64, height: 64, fill: (1, 2, 3)), to: samples.appendingPathComponent("grid.png"))
        try Data("{}".utf8).write(to: samples.appendingPathComponent("samples.json"))
        let loaded = try EvaluateImageLoader.load(samples, subsets: [.validation], maxImages: nil, seed: 0)
        XCTAssertEqual(loaded.set.count, 4)
        XCTAssertEqual(loaded.set.width, 32)
        XCTAssertEqual(loaded.notes, [])
    }
}
