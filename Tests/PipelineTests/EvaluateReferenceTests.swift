import Datasets
import FileFormats
import Foundation
import ImageMetrics
import Pipeline
import TensorCore
import XCTest

/// What `evaluate` compares generated images with: photos framed as the run's dataset cache,
/// references and floors of the sampled classes in the reference's class mix.
final class EvaluateReferenceTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "evaluate-reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func options(generated: URL, real: URL) -> EvaluateStage.Options {
        var options = EvaluateStage.Options()
        options.generated = generated.path
        options.real = real.path
        options.output = folder.appendingPathComponent("out").path
        options.artifacts = folder.appendingPathComponent("artifacts").path
        return options
    }

    /// Photos of several shapes, as PNGs (decoded the same way by `prepare` and `evaluate`).
    private func photos(_ name: String, count: Int) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let flowers = try SyntheticFlowers(classCount: 3, seed: 5)
        let shapes = [(80, 60), (60, 80), (72, 72), (90, 64)]
        for i in 0..<count {
            let (width, height) = shapes[i % shapes.count]
            let square = try flowers.image(index: i, size: max(width, height))
            try PNGImage.write(
                try Cropper.centerCrop(square, width: width, height: height),
                to: url.appendingPathComponent(String(format: "%04d.png", i)))
        }
        return url
    }

    /// `count` square images (as generated ones are) of speckled grey, as PNGs.
    private func squares(_ name: String, count: Int, side: Int = 32) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for i in 0..<count {
            try PNGImage.write(
                HandMadeCache.solid((128, 128, 128), side: side, speckle: 40, seed: UInt64(i)),
                to: url.appendingPathComponent(String(format: "%04d.png", i)))
        }
        return url
    }

    /// A folder of photos is framed as the run's cache frames the same photos (`prepare
    /// --margin 16` keeps the centre 32 of 48): scored against that cache it scores ≈ 0. Resized
    /// straight to 32 px (margin 0, as before) the photos show more of each scene and score far
    /// from it.
    func testAFolderOfPhotosIsFramedAsTheRunsDatasetCache() throws {
        let photos = try photos("photos", count: 12)
        var prepare = PrepareStage.Options()
        prepare.source = .folder
        prepare.data = photos.path
        prepare.size = 32
        prepare.margin = 16
        prepare.output = folder.appendingPathComponent("artifacts/r/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 1000, everyPercent: 100), write: { _ in })
        let cache = folder.appendingPathComponent("artifacts/r/dataset")

        var options = options(generated: cache, real: photos)
        options.run = "r"
        options.generatedSubsets = Set(DatasetSubset.allCases)
        var text = ""
        let framed = try EvaluateStage.run(options, base: folder) { text += $0 }
        let framing = "shorter side to 48, centre 32 kept (margin 16 of the run's dataset)"
        XCTAssertTrue(text.contains("real: 12 photos from \(photos.path), \(framing)"), text)
        XCTAssertEqual(framed.metrics.real.framing, framing)
        XCTAssertEqual(try JSONFile.read(EvaluateMetrics.self, from: framed.metricsFile).real.framing, framing)
        let manifest = try JSONFile.read(EvaluateManifest.self, from: framed.manifestFile)
        XCTAssertEqual(manifest.config["realMargin"], "16")
        XCTAssertEqual(manifest.config["realFraming"], framing)

        options.realMargin = 0
        text = ""
        let unframed = try EvaluateStage.run(options, base: folder) { text += $0 }
        XCTAssertTrue(text.contains("shorter side to 32, centre square kept (--real-margin 0)"), text)
        let (after, before) = (framed.metrics.report.slicedWasserstein, unframed.metrics.report.slicedWasserstein)
        XCTAssertGreaterThan(before.mean, 5, "framed otherwise, the same photos differ")
        XCTAssertLessThan(
            after.mean, before.mean * 0.02, "framed as the cache: \(after.perLevel) vs \(before.perLevel)")

        // A cache keeps its own margin: --real-margin has nothing to frame there.
        var onCache = options
        onCache.real = cache.path
        onCache.realMargin = 8
        XCTAssertThrowsError(try EvaluateStage.run(onCache, base: folder, write: { _ in })) {
            XCTAssertTrue(String(describing: $0).contains("--real-margin frames a folder of photos"), "\($0)")
        }
    }

    /// A run's cache of another image size lends the same share of each photo: its margin is
    /// scaled to the compared size; a run without a cache frames with margin 0 and says so.
    func testTheRunsMarginIsScaledToTheComparedSizeAndZeroWithoutACache() throws {
        let photos = try photos("photos", count: 4)
        try HandMadeCache.write(
            [.init(image: HandMadeCache.solid((9, 9, 9), side: 80), label: 0, subset: .validation)],
            classNames: ["grey"], size: 64, margin: 16, to: folder.appendingPathComponent("artifacts/big/dataset"))
        var options = options(generated: try squares("generated", count: 3), real: photos)
        options.run = "big"
        var text = ""
        try EvaluateStage.run(options, base: folder) { text += $0 }
        XCTAssertTrue(
            text.contains(
                "shorter side to 40, centre 32 kept (margin 8: the run's dataset's 16 around 64 px, scaled to 32 px)"),
            text)
        options.run = "nothing"
        text = ""
        try EvaluateStage.run(options, base: folder) { text += $0 }
        XCTAssertTrue(text.contains("centre square kept (margin 0: the run has no dataset cache)"), text)
    }

    /// The floor's stand-ins follow the reference's class mix, not the other subsets' (10 red and
    /// 90 blue here against a reference of 10 and 10): the coarse level, which sees colour alone,
    /// scores ≈ 0. A class short of stand-ins is named, and the others make up the count.
    func testTheFloorsStandInsHaveTheReferencesClassMix() throws {
        let rows = HandMadeCache.redAndBlue
        let cache = try HandMadeCache.write(
            rows(10, 10, .validation) + rows(5, 45, .train) + rows(5, 45, .test), classNames: ["red", "blue"],
            size: 32, to: folder.appendingPathComponent("cache"))
        let generated = try squares("generated", count: 20)
        var text = ""
        let result = try EvaluateStage.run(options(generated: generated, real: cache)) { text += $0 }
        let floor = try XCTUnwrap(result.metrics.floor, text)
        XCTAssertEqual(floor.images.count, 20)
        XCTAssertTrue(text.contains("in the reference's class mix"), text)
        let coarse = try XCTUnwrap(floor.report.slicedWasserstein.perLevel.last)
        XCTAssertLessThan(coarse, 0.01, "10 red and 10 blue stand-ins for 10 red and 10 blue: \(text)")
        XCTAssertEqual(floor.report.pixels.jensenShannon, 0, accuracy: 1e-9)

        let scarce = try HandMadeCache.write(
            rows(10, 10, .validation) + rows(3, 45, .train) + rows(0, 45, .test), classNames: ["red", "blue"],
            size: 32, to: folder.appendingPathComponent("scarce"))
        text = ""
        let short = try EvaluateStage.run(options(generated: generated, real: scarce)) { text += $0 }
        XCTAssertEqual(short.metrics.floor?.images.count, 20, "the blue stand-ins make up the count")
        XCTAssertTrue(
            text.contains(
                "note: floor: class \"red\" has 3 stand-in(s) in test+train, fewer than its share 10 of the reference's class mix"
            ), text)
    }

    /// `count` colours spread around the hue circle, one per class.
    private func classColours(_ count: Int) -> [(UInt8, UInt8, UInt8)] {
        (0..<count).map { i in
            let angle = Double(i) / Double(count) * 2 * Double.pi
            func channel(_ phase: Double) -> UInt8 { UInt8(127.5 + 110 * cos(angle + phase)) }
            return (channel(0), channel(2 * Double.pi / 3), channel(4 * Double.pi / 3))
        }
    }

    /// Samples of 10 of 20 classes (here: the real validation images of those classes, as a
    /// perfect model would draw them) are scored against the validation images of those 10
    /// classes, as their samples.json says: near the floor. Against all 20 classes (the reference
    /// used so far, and still when no samples.json lists the classes) they score far above it.
    func testTheReferenceIsRestrictedToTheSampledClasses() throws {
        let colours = classColours(20)
        let names = (0..<20).map { "class \($0)" }
        var rows: [HandMadeCache.Row] = []
        for (label, colour) in colours.enumerated() {
            for subset in [DatasetSubset.validation, .train] {
                for i in 0..<10 {
                    let seed = UInt64(label * 100 + Int(subset.rawValue) * 10 + i)
                    rows.append(
                        .init(
                            image: HandMadeCache.solid(colour, side: 32, speckle: 6, seed: seed), label: label,
                            subset: subset))
                }
            }
        }
        let cache = try HandMadeCache.write(
            rows, classNames: names, size: 32, to: folder.appendingPathComponent("cache"))
        let sampled = Array(stride(from: 0, to: 20, by: 2))
        let samples = folder.appendingPathComponent("samples")
        let images = samples.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        var sampleClasses: [Int] = []
        for row in rows where row.subset == .validation && sampled.contains(row.label) {
            let name = String(format: "%05d-c%03d.png", sampleClasses.count, row.label)
            try PNGImage.write(row.image, to: images.appendingPathComponent(name))
            sampleClasses.append(row.label)
        }
        let sidecar: [String: Any] = [
            "columns": sampled.map { ["id": $0, "name": names[$0]] }, "sampleClasses": sampleClasses,
        ]
        let sidecarURL = samples.appendingPathComponent(GenerateStage.sidecarFile)
        try JSONSerialization.data(withJSONObject: sidecar).write(to: sidecarURL)

        var text = ""
        let restricted = try EvaluateStage.run(options(generated: samples, real: cache)) { text += $0 }
        XCTAssertTrue(
            text.contains(
                "reference: validation images of the 10 sampled classes, 100 images (classes from \(sidecarURL.path))"),
            text)
        XCTAssertEqual(restricted.metrics.real.count, 100)
        XCTAssertEqual(restricted.metrics.real.classes, sampled.map { names[$0] })
        let floor = try XCTUnwrap(restricted.metrics.floor, text)
        XCTAssertEqual(floor.images.count, 100)
        XCTAssertEqual(floor.images.classes, sampled.map { names[$0] }, "the stand-ins are of the sampled classes too")
        let manifest = try JSONFile.read(EvaluateManifest.self, from: restricted.manifestFile)
        XCTAssertEqual(manifest.config["referenceClasses"], sampled.map { names[$0] }.joined(separator: ", "))
        let score = restricted.metrics.report.slicedWasserstein.mean
        XCTAssertLessThan(score, floor.report.slicedWasserstein.mean * 1.5 + 0.5, "near the floor: \(text)")

        try FileManager.default.removeItem(at: sidecarURL)
        text = ""
        let everything = try EvaluateStage.run(options(generated: samples, real: cache)) { text += $0 }
        XCTAssertEqual(everything.metrics.real.count, 200)
        XCTAssertNil(everything.metrics.real.classes)
        XCTAssertFalse(text.contains("reference:"), text)
        let everythingFloor = try XCTUnwrap(everything.metrics.floor?.report.slicedWasserstein.mean)
        XCTAssertGreaterThan(
            everything.metrics.report.slicedWasserstein.mean, everythingFloor * 3 + 2,
            "half the reference's classes were never sampled: \(text)")
    }

    /// A reference without labels is used as is, and says so; samples that include unconditional
    /// ones ("none") may show any class, so a labelled reference is then used whole.
    func testReferencesThatCannotBeRestrictedSaySo() throws {
        let samples = try squares("samples", count: 4)
        let photos = try photos("photos", count: 4)
        func sidecar(_ columns: [(Int, String)], _ classes: [Int]) throws {
            let document: [String: Any] = [
                "columns": columns.map { ["id": $0.0, "name": $0.1] }, "sampleClasses": classes,
            ]
            try JSONSerialization.data(withJSONObject: document).write(
                to: samples.appendingPathComponent(GenerateStage.sidecarFile))
        }
        try sidecar([(0, "class 0"), (1, "class 1")], [0, 1, 0, 1])
        var text = ""
        try EvaluateStage.run(options(generated: samples, real: photos)) { text += $0 }
        XCTAssertTrue(
            text.contains(
                "reference: image folder without labels, used as is (4 images), though the samples are of the 2 sampled classes"
            ),
            text)

        let cache = try HandMadeCache.write(
            (0..<6).map {
                HandMadeCache.Row(image: HandMadeCache.solid((9, 9, 9), side: 80), label: $0 % 2, subset: .validation)
            },
            classNames: ["class 0", "class 1"], size: 80, to: folder.appendingPathComponent("cache"))
        try sidecar([(0, "class 0"), (2, "none")], [0, 2, 0, 2])
        text = ""
        let whole = try EvaluateStage.run(options(generated: samples, real: cache)) { text += $0 }
        XCTAssertEqual(whole.metrics.real.count, 6)
        XCTAssertTrue(
            text.contains("reference: validation images of every class, 6 images: some samples are unconditional"), text
        )

        // One validation image of the sampled class is too few to score against.
        let scarce = try HandMadeCache.write(
            [0, 1, 1].map {
                HandMadeCache.Row(image: HandMadeCache.solid((9, 9, 9), side: 80), label: $0, subset: .validation)
            },
            classNames: ["class 0", "class 1"], size: 80, to: folder.appendingPathComponent("scarce"))
        try sidecar([(0, "class 0")], [0, 0, 0, 0])
        text = ""
        let fallback = try EvaluateStage.run(options(generated: samples, real: scarce)) { text += $0 }
        XCTAssertEqual(fallback.metrics.real.count, 3)
        XCTAssertTrue(
            text.contains(
                "reference: validation images of every class, 3 images: the sampled classes have 1 validation image(s), too few to score against (at least 2)"
            ), text)
    }

    /// The ISKD's "±" says what it is wherever it is printed.
    func testTheKernelDistanceSpreadIsLabelled() throws {
        let samples = try squares("samples", count: 6)
        var text = ""
        let result = try EvaluateStage.run(options(generated: samples, real: samples)) { text += $0 }
        let iskd = result.metrics.report.imageStatisticsKernelDistance
        XCTAssertEqual(iskd.spreadLabel, "± SD over 100 subsets of 3")
        XCTAssertTrue(text.contains("(± SD over 100 subsets of 3; image-statistics kernel distance"), text)
    }

    /// The old manifest is removed before metrics.json is replaced: when writing the metrics
    /// fails (a crash would do the same), no complete manifest describes metrics that are not there.
    func testAFailedWriteLeavesNoCompleteManifestBehind() throws {
        let samples = try squares("samples", count: 4)
        let first = try EvaluateStage.run(options(generated: samples, real: samples), write: { _ in })
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.manifestFile.path))
        // metrics.json cannot be replaced while a non-empty folder stands in its place.
        try FileManager.default.removeItem(at: first.metricsFile)
        try FileManager.default.createDirectory(at: first.metricsFile, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: first.metricsFile.appendingPathComponent("blocker"))
        XCTAssertThrowsError(try EvaluateStage.run(options(generated: samples, real: samples), write: { _ in }))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: first.manifestFile.path),
            "the manifest of the earlier evaluation outlived its metrics")
    }
}
