import FileFormats
import Foundation
import Pipeline
import XCTest

/// Latent caches the fuzzer (Fuzz/, target latent-cache) found mishandled; each input is in
/// Fixtures/ and each test failed (crashed) before its fix.
final class LatentCacheFuzzRegressionTests: XCTestCase {
    private func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
    }

    /// `continuous_mean` and `continuous_std` of different lengths used to reach ChannelStatistics'
    /// precondition (a crash in debug builds, mismatched arrays in -Ounchecked release builds).
    func testStatisticsOfTheWrongLengthAreAnErrorNamingTheFile() throws {
        let url = fixture("latent-cache-statistics-count.h5")
        let cache = try LatentCache(url: url)
        var errors: [String] = []
        for kind in LatentCache.Kind.allCases {
            do {
                let statistics = try cache.statistics(kind)
                XCTAssertEqual(statistics.channels, cache.latentShape[0], "\(kind)")
            } catch {
                errors.append(String(describing: error))
            }
        }
        XCTAssertFalse(errors.isEmpty, "the fixture's statistics do not match its latents")
        for error in errors {
            XCTAssertTrue(error.contains(url.path) && error.contains("one value per latent channel"), error)
        }
    }
}

/// Found by reading the code while writing the fuzz target: opening checked the shape of
/// `augmented/continuous` only, and `latents(_:rows:variants:)` sliced `augmented/quantized`
/// by that shape, reading out of bounds when it was smaller.
final class LatentCacheAugmentationShapeTests: XCTestCase {
    func testAugmentedQuantizedOfTheWrongShapeIsAnErrorNamingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-aug-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(LatentCache.fileName)
        let file = try HDF5File.create(at: url)
        let values = [Float](repeating: 0.5, count: 2 * 4 * 2 * 2)
        try file.createDataset("continuous", type: .float32, shape: [2, 4, 2, 2]).write(values)
        try file.createDataset("quantized", type: .float32, shape: [2, 4, 2, 2]).write(values)
        try file.createDataset("augmented/continuous", type: .float32, shape: [2, 1, 4, 2, 2]).write(values)
        try file.createDataset("augmented/quantized", type: .float32, shape: [1, 1, 4, 2, 2]).write(
            Array(values.prefix(16)))
        try file.createDataset("codes", type: .int16, shape: [2, 1, 2, 2]).write([Int16](repeating: 3, count: 8))
        try file.createDataset("augmented/codes", type: .int16, shape: [2, 1, 1, 2, 2]).write(
            [Int16](repeating: 3, count: 8))
        try file.createDataset("labels", type: .int64, shape: [2]).write([Int64(0), 0])
        try file.createDataset("split", type: .uint8, shape: [2]).write([UInt8(0), 0])
        try file.writeStrings(["daisy"], to: "class_names")
        for (key, value) in [
            "format": LatentCache.formatName, "version": "\(LatentCache.formatVersion)", "augmentations": "1",
        ] {
            try file.setAttribute(key, value)
        }
        try file.commit()

        // Refused when the cache is opened (issue 19's checks) or, were it opened, when read.
        XCTAssertThrowsError(try LatentCache(url: url).latents(.quantized, rows: [1], variants: true)) { error in
            let text = String(describing: error)
            XCTAssertTrue(
                text.contains(url.path) && text.contains("'augmented/quantized' is")
                    && text.contains("[1, 1, 4, 2, 2]"), text)
        }
    }
}
