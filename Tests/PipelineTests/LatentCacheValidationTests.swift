import FileFormats
import Foundation
import Pipeline
import XCTest

/// The latent cache is read by code compiled with -Ounchecked (no preconditions, no bounds
/// checks): whatever in the file decides how far a read goes must be checked by the reader, as
/// an error naming the file.
final class LatentCacheValidationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "latent-cache-checks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A cache of 3 latents of 4×2×2 with 2 code levels, written by hand so that one part at a
    /// time can be made wrong.
    func writeCache(std: [Float] = [1, 1, 1, 1], codes: [Int16]? = nil, augmentedQuantizedShape: [Int]? = nil) throws
        -> URL
    {
        let url = folder.appendingPathComponent("latents-\(UUID().uuidString).h5")
        let file = try HDF5File.create(at: url)
        let shape = [3, 4, 2, 2]
        let values = [Float](repeating: 0.5, count: 48)
        try file.createDataset("continuous", type: .float32, shape: shape).write(values)
        try file.createDataset("quantized", type: .float32, shape: shape).write(values)
        try file.createDataset("codes", type: .int16, shape: [3, 2, 2, 2]).write(
            codes ?? [Int16](repeating: 1, count: 24))
        try file.createDataset("labels", type: .int64, shape: [3]).write([Int64(0), 1, 0])
        try file.createDataset("split", type: .uint8, shape: [3]).write([UInt8(0), 0, 1])
        try file.writeStrings(["a", "b"], to: "class_names")
        for kind in ["continuous", "quantized"] {
            try file.createDataset("\(kind)_mean", type: .float32, shape: [4]).write([Float](repeating: 0, count: 4))
            try file.createDataset("\(kind)_std", type: .float32, shape: [std.count]).write(std)
        }
        if let augmentedQuantizedShape {
            try file.createDataset("augmented/continuous", type: .float32, shape: [3, 1, 4, 2, 2]).write(values)
            let count = augmentedQuantizedShape.reduce(1, *)
            try file.createDataset("augmented/quantized", type: .float32, shape: augmentedQuantizedShape)
                .write([Float](repeating: 0.5, count: count))
            try file.createDataset("augmented/codes", type: .int16, shape: [3, 1, 2, 2, 2]).write(
                [Int16](repeating: 1, count: 24))
        }
        try file.setAttribute("format", LatentCache.formatName)
        try file.setAttribute("version", String(LatentCache.formatVersion))
        try file.setAttribute("augmentations", augmentedQuantizedShape == nil ? "0" : "1")
        try file.commit()
        return url
    }

    func assertError(_ url: URL, mentions text: String, _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(text), "\(error)", line: line)
        }
    }

    func testTheHandMadeCacheIsValid() throws {
        let cache = try LatentCache(url: try writeCache())
        XCTAssertEqual(try cache.statistics(.continuous).std, [1, 1, 1, 1])
        XCTAssertEqual(try cache.codes(rows: [2, 0]).count, 16)
    }

    /// Three deviations for four channels: standardising would read a fourth past the end.
    func testShortStandardDeviationIsAnErrorNamingTheFile() throws {
        let url = try writeCache(std: [1, 1, 1])
        let cache = try LatentCache(url: url)
        assertError(url, mentions: "'continuous_std' is float32 [3], expected float32 [4]") {
            _ = try cache.statistics(.continuous)
        }
        let negative = try writeCache(std: [1, -1, 1, 1])
        assertError(negative, mentions: "standard deviation of channel 1") {
            _ = try LatentCache(url: negative).statistics(.quantized)
        }
    }

    /// Augmented quantized latents shorter than the augmentations recorded are refused when the
    /// cache is opened, not read past their end when a training run asks for them.
    func testShortAugmentedDatasetIsRefusedOnOpening() throws {
        XCTAssertEqual(try LatentCache(url: try writeCache(augmentedQuantizedShape: [3, 1, 4, 2, 2])).augmentations, 1)
        let url = try writeCache(augmentedQuantizedShape: [2, 1, 4, 2, 2])
        assertError(url, mentions: "'augmented/quantized' is [2, 1, 4, 2, 2]") { _ = try LatentCache(url: url) }
    }

    func testRowsOutsideTheCacheAndNegativeCodesAreErrors() throws {
        let url = try writeCache()
        let cache = try LatentCache(url: url)
        assertError(url, mentions: "row 3 outside 0..<3") { _ = try cache.codes(rows: [0, 3]) }
        var codes = [Int16](repeating: 1, count: 24)
        codes[13] = -5
        let negative = try writeCache(codes: codes)
        assertError(negative, mentions: "negative code -5 (row 1)") {
            _ = try LatentCache(url: negative).codes(rows: [0, 1])
        }
    }
}
