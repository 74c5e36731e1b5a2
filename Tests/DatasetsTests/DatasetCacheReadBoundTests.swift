import Datasets
import FileFormats
import Foundation
import XCTest

/// A dataset cache whose `labels` header claims 2^32 rows, in a file of a few KiB: opening it
/// used to allocate 32 GiB for the labels before libhdf5 could fail; now it is an error naming the
/// file and the dataset (HDF5ReadBound), raised before anything is allocated.
final class DatasetCacheReadBoundTests: XCTestCase {
    func testLabelsClaiming4GiBRowsAreRefusedNamingFileAndDataset() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent(DatasetCacheLayout.imagesFile)
        let file = try HDF5File.create(at: url)
        for (key, value) in [
            "format": DatasetCacheLayout.formatName, "version": "\(DatasetCacheLayout.formatVersion)",
            "size": "4", "margin": "0",
        ] {
            try file.setAttribute(key, value)
        }
        try file.createDataset("images", type: .uint8, shape: [2, 4, 4, 3]).write([UInt8](repeating: 7, count: 96))
        try file.createDataset("labels", type: .int64, shape: [1 << 32])  // declared, never written
        try file.createDataset("split", type: .uint8, shape: [2]).write([UInt8(0), 1])
        try file.writeStrings(["a.png", "b.png"], to: "files")
        try file.writeStrings(["daisy"], to: "class_names")
        try file.commit()

        XCTAssertThrowsError(try DatasetCache.open(dir.url)) { error in
            let text = String(describing: error)
            XCTAssertTrue(
                text.contains(url.path) && text.contains("dataset '/labels' declares 4294967296 elements"), text)
        }
    }
}
