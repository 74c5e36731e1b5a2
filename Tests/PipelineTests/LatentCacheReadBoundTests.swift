import FileFormats
import Foundation
import Pipeline
import XCTest

/// A latent cache whose `continuous` latents claim 2^32 rows of [4, 2, 2] floats (256 GiB) in a
/// file of a few KiB: `latents(_:rows:)` read them whole, allocating the declared size. Opening
/// the cache is now an error naming the file and dataset (HDF5ReadBound), before any allocation.
final class LatentCacheReadBoundTests: XCTestCase {
    func testLatentsClaiming256GiBAreRefusedNamingFileAndDataset() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-bound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(LatentCache.fileName)
        let file = try HDF5File.create(at: url)
        try file.createDataset("continuous", type: .float32, shape: [1 << 32, 4, 2, 2])  // declared, never written
        try file.createDataset("quantized", type: .float32, shape: [1 << 32, 4, 2, 2])
        try file.createDataset("codes", type: .int16, shape: [1 << 32, 1, 2, 2])
        try file.createDataset("labels", type: .int64, shape: [1 << 32])
        try file.createDataset("split", type: .uint8, shape: [1 << 32])
        try file.writeStrings(["daisy"], to: "class_names")
        for (key, value) in ["format": LatentCache.formatName, "version": "\(LatentCache.formatVersion)"] {
            try file.setAttribute(key, value)
        }
        try file.commit()

        XCTAssertThrowsError(try LatentCache(url: url)) { error in
            let text = String(describing: error)
            XCTAssertTrue(
                text.contains(url.path) && text.contains("dataset '/continuous' declares 68719476736 elements"), text)
        }
    }
}
