import Datasets
import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import XCTest

/// The flow standardises its data with statistics of what it trains on.
final class TrainingStatisticsTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("statistics-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// Trained on the plain latents and their frozen augmentations, drawn equally often, the flow
    /// standardises with the statistics of all of them (it used the plain ones only).
    func testLatentStatisticsCoverTheAugmentedVariants() throws {
        var encode = fixture.encodeOptions(output: scratch.appendingPathComponent("latents"))
        encode.augmentations = 2
        let encoded = try EncodeStage.run(encode, write: { _ in })
        var options = fixture.trainOptions(output: scratch.appendingPathComponent("flow"), steps: 1)
        options.latents = scratch.appendingPathComponent("latents").path
        options.useAugmentations = true
        try TrainFlowStage.run(options, write: { _ in })
        let recorded = try StageManifest<TrainFlowStage.ManifestConfig>.read(
            from: scratch.appendingPathComponent("flow")
        ).config.statistics

        let cache = try LatentCache(url: encoded.file)
        let rows = cache.rows(in: Set(options.trainSubsets))
        let variants = try cache.latents(options.latentKind, rows: rows, variants: true)
        XCTAssertEqual(variants.shape, [rows.count, 3, 4, 4, 4])
        let all = ChannelStatistics.measure(variants.reshaped([rows.count * 3, 4, 4, 4]))
        let plain = ChannelStatistics.measure(try cache.latents(options.latentKind, rows: rows))
        XCTAssertNotEqual(all, plain, "the variants change the statistics, so the check below can fail")
        for c in 0..<4 {
            XCTAssertEqual(recorded.mean[c], all.mean[c], accuracy: 1e-5)
            XCTAssertEqual(recorded.std[c], all.std[c], accuracy: 1e-5)
        }
    }

    /// A cache in class order (as Oxford's and class folders' are): the sample takes every class
    /// in turn, so its statistics are those of the whole set, not of its first classes.
    func testPixelStatisticsSampleTheClassesEqually() throws {
        let source = scratch.appendingPathComponent("photos")
        for (name, colour) in [
            ("a-red", (UInt8(220), UInt8(30), UInt8(30))), ("b-blue", (UInt8(20), UInt8(40), UInt8(230))),
        ] {
            let folder = source.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<12 {
                try PNGImage.write(
                    RGBImage(width: 32, height: 32, fill: colour), to: folder.appendingPathComponent("\(i).png"))
            }
        }
        var prepare = PrepareStage.Options()
        prepare.source = .folder
        prepare.data = source.path
        prepare.size = 32
        prepare.validationFraction = 0
        prepare.testFraction = 0
        prepare.output = scratch.appendingPathComponent("dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 1000, everyPercent: 100), write: { _ in })
        let cache = try DatasetCache.open(scratch.appendingPathComponent("dataset"))
        XCTAssertEqual(Array(cache.labels.prefix(12)), Array(repeating: 0, count: 12), "the cache is in class order")

        let rows = ClassBalancedSample.rows(of: cache, subsets: [.train], limit: 8, seed: 0)
        XCTAssertEqual(rows.map { cache.labels[$0] }.sorted(), [0, 0, 0, 0, 1, 1, 1, 1])
        let sampled = try PixelStatistics.measure(cache, subsets: [.train], limit: 8, seed: 0)
        let whole = try PixelStatistics.measure(cache, subsets: [.train], limit: 24, seed: 0)
        for c in 0..<3 {
            XCTAssertEqual(sampled.mean[c], whole.mean[c], accuracy: 1e-5)
            XCTAssertEqual(sampled.std[c], whole.std[c], accuracy: 1e-5)
        }
        // Uneven classes: the smaller one gives all it has, the larger the rest.
        let uneven = ClassBalancedSample.rows((0..<10).map { ($0, $0 < 2 ? 0 : 1) }, limit: 6, seed: 3)
        XCTAssertEqual(uneven.map { $0 < 2 ? 0 : 1 }.sorted(), [0, 0, 1, 1, 1, 1])
    }
}
