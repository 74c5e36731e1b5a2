import FileFormats
import Foundation
import XCTest

/// Datasets whose headers claim more data than their file could hold are refused when opened for
/// reading, before anyone allocates for them (HDF5ReadBound). The huge datasets here are declared
/// but never written, so each file stays a few KiB; before the check, opening them succeeded and
/// the first read allocated the declared size (32 GiB, 1 TiB, …).
final class HDF5ReadBoundTests: TemporaryDirectoryTestCase {
    /// A committed file with a small valid dataset and whatever `add` declares.
    private func file(_ name: String, _ add: (HDF5File) throws -> Void) throws -> URL {
        let url = tmp.appendingPathComponent(name)
        let file = try HDF5File.create(at: url)
        try file.createDataset("small", type: .int64, shape: [3]).write([Int64(1), 2, 3])
        try add(file)
        try file.commit()
        return url
    }

    func testAContiguousDatasetClaiming4GiBLabelsIsRefusedNamingFileAndDataset() throws {
        let url = try file("labels.h5") { try $0.createDataset("labels", type: .int64, shape: [1 << 32]) }
        XCTAssertLessThan(try fileSize(url), 1 << 16)
        let reader = try HDF5File.open(at: url)
        let error = assertFormatError(
            try reader.dataset("labels"), kind: .malformed, containing: "dataset '/labels' declares 4294967296 elements"
        )
        XCTAssertEqual(error?.path, url.path)
        XCTAssertEqual(
            try reader.dataset("small").read(Int64.self), [1, 2, 3], "the file's honest datasets still read")
    }

    func testAChunkedCompressedDatasetWithoutItsChunksIsRefused() throws {
        let url = try file("names.h5") {
            try $0.createDataset("images", type: .uint8, shape: [1 << 40], chunk: [1 << 20], gzip: 1)
        }
        let reader = try HDF5File.open(at: url)
        assertFormatError(
            try reader.dataset("images"), kind: .malformed,
            containing: "dataset '/images' declares 1099511627776 elements")
    }

    func testAChunkedUncompressedDatasetLargerThanTheFileIsRefused() throws {
        let url = try file("chunked.h5") {
            try $0.createDataset("pixels", type: .float32, shape: [1 << 24, 4], chunk: [1024, 4])
        }
        let reader = try HDF5File.open(at: url)
        assertFormatError(try reader.dataset("pixels"), kind: .malformed, containing: "'/pixels'")
    }

    /// The bound for deflate is deflate's own greatest ratio (1032:1): data that compresses as well
    /// as data can (zeros) still reads.
    func testZerosCompressedAsFarAsDeflateGoesStillRead() throws {
        let count = 8 << 20
        let url = try file("zeros.h5") {
            try $0.createDataset("zeros", type: .uint8, shape: [count / 1024, 1024], chunk: [1024, 1024], gzip: 9)
                .write([UInt8](repeating: 0, count: count))
        }
        XCTAssertLessThan(try fileSize(url) * 100, count, "the fixture compresses more than 100:1")
        let values = try HDF5File.open(at: url).dataset("zeros").read(UInt8.self)
        XCTAssertEqual(values.count, count)
        XCTAssertTrue(values.allSatisfy { $0 == 0 })
    }

    /// A string dataset whose dataspace claims 2^40 names, made by patching the dimensions of a
    /// small one in a copy of the file: the 8 TiB of string pointers are never allocated.
    func testAStringDatasetClaiming2To40NamesIsRefused() throws {
        let names = (0..<77).map { "image_\($0).jpg" }
        let url = try file("strings.h5") { try $0.writeStrings(names, to: "files") }
        XCTAssertEqual(try HDF5File.open(at: url).readStrings("files"), names)
        let patched = tmp.appendingPathComponent("strings-patched.h5")
        try DataspacePatch.replacingDimension(77, with: 1 << 40, in: url, writingTo: patched)
        let reader = try HDF5File.open(at: patched)
        let error = assertFormatError(try reader.readStrings("files"), containing: "'/files'")
        XCTAssertEqual(error?.path, patched.path)
    }

    private func fileSize(_ url: URL) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
    }
}

/// Rewrites the one-dimensional dataspace messages (version 1, as libhdf5 writes by default) that
/// declare `old` elements so that they declare `new`, dimension and maximum dimension alike.
enum DataspacePatch {
    static func replacingDimension(_ old: UInt64, with new: UInt64, in source: URL, writingTo target: URL) throws {
        var bytes = [UInt8](try Data(contentsOf: source))
        let header: [UInt8] = [1, 1]  // version 1, rank 1
        var patched = 0
        var i = 0
        while i + 24 <= bytes.count {
            // version, rank, flags (bit 0: maximum dimensions present), 5 reserved bytes, dimensions.
            if Array(bytes[i..<i + 2]) == header, bytes[i + 2] <= 1, bytes[i + 3..<i + 8].allSatisfy({ $0 == 0 }),
                littleEndian(bytes, at: i + 8) == old
            {
                write(new, into: &bytes, at: i + 8)
                if bytes[i + 2] == 1, littleEndian(bytes, at: i + 16) == old { write(new, into: &bytes, at: i + 16) }
                patched += 1
                i += 16
            } else {
                i += 1
            }
        }
        guard patched > 0 else { throw CocoaError(.fileReadCorruptFile) }
        try Data(bytes).write(to: target)
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    private static func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<8 { bytes[offset + k] = UInt8((value >> (8 * UInt64(k))) & 0xFF) }
    }
}
