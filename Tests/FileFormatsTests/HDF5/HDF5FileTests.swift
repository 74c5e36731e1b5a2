import FileFormats
import Foundation
import XCTest

final class HDF5FileTests: TemporaryDirectoryTestCase {
    private func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted() }

    func testEveryElementTypeRoundTripsWithGroupsAttributesAndStrings() throws {
        let url = tmp.appendingPathComponent("cache.h5")
        let file = try HDF5File.create(at: url)
        try file.setAttribute("format", "fmf-cache-v1")
        try file.createGroup("meta/split")
        try file.setAttribute("note", "nested ✓", on: "meta/split")

        let floats = (0..<24).map { Float($0) * 0.5 - 3 }
        try file.createDataset("data/f32", type: .float32, shape: [2, 3, 4]).write(floats)
        try file.createDataset("data/f64", type: .float64, shape: [3]).write([1.0 / 3, -2, 1e300])
        try file.createDataset("data/u8", type: .uint8, shape: [4, 2], chunk: [2, 2], gzip: 6).write(
            [UInt8](0..<8).map { $0 * 30 })
        try file.createDataset("data/i16", type: .int16, shape: [3]).write([Int16.min, 0, .max])
        try file.createDataset("data/i32", type: .int32, shape: [2]).write([Int32.min, 7])
        let labels = try file.createDataset("labels", type: .int64, shape: [5])
        try labels.write([Int64.min, -1, 0, 1, .max])
        try labels.setAttribute("units", "class id")
        try file.writeStrings(["image_00001.jpg", "fleur de lis", "", "日本語"], to: "meta/files")
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing at the final path before commit")
        try file.commit()
        XCTAssertFalse(file.isOpen)
        XCTAssertEqual(try entries(), ["cache.h5"], "no temporary file left behind")

        let back = try HDF5File.open(at: url)
        XCTAssertEqual(try back.attribute("format"), "fmf-cache-v1")
        XCTAssertNil(try back.attribute("missing"))
        XCTAssertEqual(try back.attribute("note", on: "/meta/split"), "nested ✓")
        XCTAssertEqual(try back.attributeNames(), ["format"])
        XCTAssertEqual(try back.members(), ["data", "labels", "meta"])
        XCTAssertEqual(try back.members(of: "data"), ["f32", "f64", "i16", "i32", "u8"])
        XCTAssertEqual(try back.members(of: "meta"), ["files", "split"])
        XCTAssertEqual(try back.kind(of: "meta/split"), .group)
        XCTAssertEqual(try back.kind(of: "labels"), .dataset)
        XCTAssertTrue(try back.exists("data/u8"))
        XCTAssertFalse(try back.exists("data/nothing"))
        XCTAssertFalse(try back.exists("nowhere/at/all"))

        let f32 = try back.dataset("data/f32")
        XCTAssertEqual(f32.shape, [2, 3, 4])
        XCTAssertEqual(f32.elementType, .float32)
        XCTAssertEqual(f32.rowCount, 2)
        XCTAssertEqual(f32.elementsPerRow, 12)
        XCTAssertEqual(try f32.read(Float.self), floats)
        XCTAssertEqual(try back.dataset("data/f64").read(Double.self), [1.0 / 3, -2, 1e300])
        let u8 = try back.dataset("data/u8")
        XCTAssertEqual(u8.elementType, .uint8)
        XCTAssertEqual(try u8.read(UInt8.self), [0, 30, 60, 90, 120, 150, 180, 210])
        XCTAssertEqual(try back.dataset("data/i16").read(Int16.self), [.min, 0, .max])
        XCTAssertEqual(try back.dataset("data/i32").read(Int32.self), [.min, 7])
        let backLabels = try back.dataset("labels")
        XCTAssertEqual(backLabels.elementType, .int64)
        XCTAssertEqual(try backLabels.read(Int64.self), [.min, -1, 0, 1, .max])
        XCTAssertEqual(try backLabels.attribute("units"), "class id")
        XCTAssertEqual(try back.readStrings("meta/files"), ["image_00001.jpg", "fleur de lis", "", "日本語"])
        XCTAssertEqual(try back.dataset("meta/files").elementType, .string)
        back.close()
    }

    func testRowRangesWriteAndReadOneBatchAtATime() throws {
        let url = tmp.appendingPathComponent("rows.h5")
        let file = try HDF5File.create(at: url)
        let images = try file.createDataset(
            "images", type: .uint8, shape: [10, 4, 4, 3], chunk: [2, 4, 4, 3], gzip: 4)
        let perRow = 48
        for batch in stride(from: 0, to: 10, by: 3) {
            let rows = batch..<min(10, batch + 3)
            let values = rows.flatMap { r in (0..<perRow).map { UInt8((r * 7 + $0) % 256) } }
            try images.write(values, rows: rows)
        }
        try file.commit()

        let reader = try HDF5File.open(at: url)
        let dataset = try reader.dataset("images")
        XCTAssertEqual(dataset.shape, [10, 4, 4, 3])
        let rows = try dataset.read(UInt8.self, rows: 4..<6)
        XCTAssertEqual(rows, (4..<6).flatMap { r in (0..<perRow).map { UInt8((r * 7 + $0) % 256) } })
        // Numeric conversion on read: the uint8 cache straight into Float.
        let asFloat = try dataset.read(Float.self, rows: 9..<10)
        XCTAssertEqual(asFloat, (0..<perRow).map { Float((9 * 7 + $0) % 256) })
        // Reading into caller memory.
        var buffer = [Float](repeating: -1, count: 2 * perRow)
        try buffer.withUnsafeMutableBufferPointer { try dataset.read(into: $0, rows: 0..<2) }
        XCTAssertEqual(buffer, (0..<2).flatMap { r in (0..<perRow).map { Float((r * 7 + $0) % 256) } })
        XCTAssertEqual(try dataset.read(UInt8.self, rows: 3..<3), [], "an empty range reads nothing")
    }

    func testUncommittedNewFileNeverAppears() throws {
        let url = tmp.appendingPathComponent("abandoned.h5")
        let file = try HDF5File.create(at: url)
        try file.createDataset("x", type: .float32, shape: [3]).write([1, 2, 3] as [Float])
        file.close()
        XCTAssertEqual(try entries(), [])

        do {  // Dropped without commit or close.
            let dropped = try HDF5File.create(at: url)
            try dropped.createGroup("g")
        }
        XCTAssertEqual(try entries(), [])

        // A committed file is replaced only by the next successful commit.
        let first = try HDF5File.create(at: url)
        try first.setAttribute("version", "1")
        try first.commit()
        let second = try HDF5File.create(at: url)
        try second.setAttribute("version", "2")
        XCTAssertEqual(try HDF5File.open(at: url).attribute("version"), "1")
        second.close()
        XCTAssertEqual(try HDF5File.open(at: url).attribute("version"), "1")
        XCTAssertEqual(try entries(), ["abandoned.h5"])
    }

    func testScalarAndEmptyDatasets() throws {
        let url = tmp.appendingPathComponent("shapes.h5")
        let file = try HDF5File.create(at: url)
        try file.createDataset("scalar", type: .float64, shape: []).write([2.5])
        try file.createDataset("empty", type: .float32, shape: [0, 8])
        try file.writeStrings([], to: "no-names")
        try file.commit()
        let back = try HDF5File.open(at: url)
        XCTAssertEqual(try back.dataset("scalar").shape, [])
        XCTAssertEqual(try back.dataset("scalar").read(Double.self), [2.5])
        XCTAssertEqual(try back.dataset("empty").shape, [0, 8])
        XCTAssertEqual(try back.dataset("empty").read(Float.self), [])
        XCTAssertEqual(try back.readStrings("no-names"), [])
    }

    func testReadWriteModeModifiesInPlace() throws {
        let url = tmp.appendingPathComponent("rw.h5")
        let file = try HDF5File.create(at: url)
        try file.createDataset("v", type: .int32, shape: [4]).write([1, 2, 3, 4] as [Int32])
        try file.commit()

        let rw = try HDF5File.open(at: url, mode: .readWrite)
        try rw.dataset("v").write([20, 30] as [Int32], rows: 1..<3)
        try rw.setAttribute("edited", "yes", on: "v")
        try rw.setAttribute("edited", "twice", on: "v")
        try rw.commit()
        let back = try HDF5File.open(at: url)
        XCTAssertEqual(try back.dataset("v").read(Int32.self), [1, 20, 30, 4])
        XCTAssertEqual(try back.attribute("edited", on: "v"), "twice")
        XCTAssertEqual(try back.attributeNames(on: "v"), ["edited"])
    }

    func testConcurrentBatchReadsFromManyThreads() throws {
        let url = tmp.appendingPathComponent("shared.h5")
        let file = try HDF5File.create(at: url)
        let n = 64, width = 100
        try file.createDataset("x", type: .float32, shape: [n, width], chunk: [8, width], gzip: 1)
            .write((0..<n * width).map(Float.init))
        try file.commit()

        let reader = try HDF5File.open(at: url)
        let dataset = try reader.dataset("x")
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            let row = (i * 13) % (n - 2)
            guard let values = try? dataset.read(Float.self, rows: row..<row + 2),
                values == (row * width..<(row + 2) * width).map(Float.init)
            else {
                failures.increment()
                return
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    // MARK: Errors

    func testErrorsNameTheFileAndTheObject() throws {
        let url = tmp.appendingPathComponent("errors.h5")
        let file = try HDF5File.create(at: url)
        let d = try file.createDataset("grp/d", type: .float32, shape: [4, 2])
        assertFormatError(try d.write([1, 2, 3] as [Float]), kind: .malformed, containing: "/grp/d")
        assertFormatError(try d.write([1, 2] as [Float], rows: 3..<5), kind: .malformed, containing: "outside")
        assertFormatError(try d.write([1, 2] as [Int32], rows: 0..<1), kind: .malformed, containing: "Int32")
        assertFormatError(try file.createDataset("grp/d", type: .uint8, shape: [1]), containing: "already exists")
        assertFormatError(try file.createDataset("c", type: .uint8, shape: [4, 4], chunk: [2]), containing: "rank")
        assertFormatError(
            try file.createDataset("c", type: .uint8, shape: [4, 4], chunk: [8, 4]), containing: "chunk")
        assertFormatError(try file.createDataset("c", type: .uint8, shape: [4], gzip: 12), containing: "gzip")
        assertFormatError(try file.createDataset("c", type: .uint8, shape: [-1]), containing: "shape")
        assertFormatError(try file.createDataset("c", type: .string, shape: [1]))
        assertFormatError(try file.createDataset("a/../b", type: .uint8, shape: [1]))
        assertFormatError(try file.dataset("grp/missing"), kind: .notFound, containing: "/grp/missing")
        assertFormatError(try file.dataset("grp"), containing: "/grp")
        assertFormatError(try file.members(of: "nope"), kind: .notFound)
        assertFormatError(try file.setAttribute("a", "b", on: "nope"), kind: .notFound, containing: "nope")
        assertFormatError(try file.readStrings("grp/d"), kind: .unsupported)
        assertFormatError(try file.createGroup("grp/d"), containing: "not a group")
        try file.commit()
        assertFormatError(try d.read(Float.self), containing: "closed")

        let readOnly = try HDF5File.open(at: url)
        assertFormatError(
            try readOnly.dataset("grp/d").write([Float](repeating: 0, count: 8)), kind: .writeFailed,
            containing: "read-only")
        assertFormatError(try readOnly.setAttribute("x", "y"), kind: .writeFailed)
        assertFormatError(try readOnly.createGroup("new"), kind: .writeFailed)
        let error = assertFormatError(try readOnly.dataset("grp/d").read(Float.self, rows: 2..<9))
        XCTAssertEqual(error?.path, url.path)
    }

    func testNonHDF5AndTruncatedFilesAreRejected() throws {
        assertFormatError(try HDF5File.open(at: tmp.appendingPathComponent("missing.h5")), kind: .notFound)
        assertFormatError(try HDF5File.open(at: tmp), kind: .unreadable)

        let empty = tmp.appendingPathComponent("empty.h5")
        try AtomicFile.write(Data(), to: empty)
        assertFormatError(try HDF5File.open(at: empty), containing: "empty.h5")

        let text = tmp.appendingPathComponent("text.h5")
        try AtomicFile.write(Data(repeating: 0x41, count: 4096), to: text)
        assertFormatError(try HDF5File.open(at: text), kind: .malformed)

        // A real file cut short: either opening or reading must fail, never crash.
        let url = tmp.appendingPathComponent("full.h5")
        let file = try HDF5File.create(at: url)
        try file.createDataset("x", type: .float32, shape: [256, 64]).write([Float](repeating: 1.5, count: 256 * 64))
        try file.commit()
        let bytes = try Data(contentsOf: url)
        for fraction in [0.02, 0.1, 0.5, 0.9] {
            let cut = tmp.appendingPathComponent("cut.h5")
            try AtomicFile.write(bytes.prefix(Int(Double(bytes.count) * fraction)), to: cut)
            XCTAssertThrowsError(try HDF5File.open(at: cut).dataset("x").read(Float.self), "cut at \(fraction)")
        }
    }

    func testCannotCreateInAMissingFolder() {
        let url = tmp.appendingPathComponent("no/folder/x.h5")
        assertFormatError(try HDF5File.create(at: url), kind: .writeFailed, containing: "x.h5")
    }
}

/// A thread-safe counter for the concurrency test.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
