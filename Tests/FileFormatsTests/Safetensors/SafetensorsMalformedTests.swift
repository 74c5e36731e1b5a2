import FileFormats
import Foundation
import XCTest

final class SafetensorsMalformedTests: TemporaryDirectoryTestCase {
    /// A file with the given header text (unpadded) and data bytes, with an optional lying length.
    private func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var out = Data()
        var n = (length ?? UInt64(h.count)).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    private func field(_ name: String, _ dtype: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
    }

    private func f32(_ name: String, _ shape: [Int], _ begin: Int, _ end: Int) -> String {
        field(name, "F32", shape, begin, end)
    }

    private let eight = [UInt8](repeating: 1, count: 8)

    func testWellFormedHandMadeFileIsAccepted() throws {
        let data = file("{\(f32("a", [2], 0, 8))}", data: eight)
        XCTAssertEqual(try SafetensorsFile.decode(data, path: "x").tensors["a"]?.shape, [2])
    }

    func testZeroAndShortFilesAreTruncated() {
        assertFormatError(try SafetensorsFile.decode(Data(), path: "zero.st"), kind: .truncated, containing: "zero.st")
        assertFormatError(try SafetensorsFile.decode(Data([1, 0, 0]), path: "x"), kind: .truncated)
    }

    func testAbsurdHeaderLengths() {
        assertFormatError(
            try SafetensorsFile.decode(file("{}", length: 1 << 40), path: "x"), kind: .malformed,
            containing: "100 MB")
        assertFormatError(try SafetensorsFile.decode(file("{}", length: 50), path: "x"), kind: .truncated)
        assertFormatError(try SafetensorsFile.decode(file("{}", length: .max), path: "x"), kind: .malformed)
    }

    func testHeaderThatIsNotAJSONObject() {
        assertFormatError(try SafetensorsFile.decode(file("not json"), path: "x"), kind: .malformed)
        assertFormatError(try SafetensorsFile.decode(file("[1,2]"), path: "x"), kind: .malformed)
        assertFormatError(try SafetensorsFile.decode(file("{\"a\":"), path: "x"), kind: .malformed)
        assertFormatError(
            try SafetensorsFile.decode(file("{\"a\":{\"dtype\":\"F32\"}}"), path: "x"),
            kind: .malformed, containing: "shape")
        assertFormatError(try SafetensorsFile.decode(file("{\"__metadata__\":{\"k\":1}}"), path: "x"), kind: .malformed)
    }

    func testUnknownDTypeIsUnsupported() {
        assertFormatError(
            try SafetensorsFile.decode(file("{\(field("a", "BF16", [4], 0, 8))}", data: eight), path: "x"),
            kind: .unsupported, containing: "BF16")
    }

    func testOffsetsOutOfBoundsOverlappingOrNotCovering() {
        // Past the end of the data.
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [4], 0, 16))}", data: eight), path: "x"),
            kind: .malformed, containing: "outside")
        // Reversed / negative.
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [0], 8, 0))}", data: eight), path: "x"),
            kind: .malformed)
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [2], -8, 0))}", data: eight), path: "x"),
            kind: .malformed)
        // Two tensors sharing bytes.
        assertFormatError(
            try SafetensorsFile.decode(
                file(
                    "{\(f32("a", [2], 0, 8)),\(f32("b", [1], 4, 8))}",
                    data: eight), path: "x"),
            kind: .malformed, containing: "overlaps")
        // A gap, and trailing bytes no tensor owns.
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [1], 4, 8))}", data: eight), path: "x"),
            kind: .malformed, containing: "gap")
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [1], 0, 4))}", data: eight), path: "x"),
            kind: .malformed, containing: "unaccounted")
        // A wrong number of offsets.
        assertFormatError(
            try SafetensorsFile.decode(
                file(
                    "{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0]}}",
                    data: eight), path: "x"), kind: .malformed)
    }

    func testShapesThatLieAboutTheByteCount() {
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [3], 0, 8))}", data: eight), path: "x"),
            kind: .malformed, containing: "shape")
        assertFormatError(
            try SafetensorsFile.decode(file("{\(field("a", "I64", [2], 0, 8))}", data: eight), path: "x"),
            kind: .malformed)
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [-2], 0, 8))}", data: eight), path: "x"),
            kind: .malformed)
        // A product that overflows Int must not trap.
        let huge = Int.max / 2
        assertFormatError(
            try SafetensorsFile.decode(file("{\(f32("a", [huge, huge, 4], 0, 8))}", data: eight), path: "x"),
            kind: .malformed)
    }

    func testTruncatedRealFileIsRejectedAtEveryLength() throws {
        var full = SafetensorsFile(metadata: ["a": "b"])
        full.tensors["x"] = SafetensorsTensor(floats: [1, 2, 3, 4], shape: [2, 2])
        full.tensors["y"] = SafetensorsTensor(int64s: [7], shape: [1])
        let data = try full.encoded()
        for cut in 0..<data.count {
            XCTAssertThrowsError(try SafetensorsFile.decode(data.prefix(cut), path: "cut"), "length \(cut)")
        }
        // Decoding a slice that does not start at index 0 works too.
        var shifted = Data([9, 9, 9])
        shifted.append(data)
        XCTAssertEqual(try SafetensorsFile.decode(shifted.dropFirst(3), path: "s").tensors, full.tensors)
    }

    func testMissingFileIsNotFound() {
        let url = tmp.appendingPathComponent("absent.safetensors")
        assertFormatError(try SafetensorsFile.read(from: url), kind: .notFound, containing: "absent.safetensors")
        assertFormatError(try SafetensorsFile.read(from: tmp), kind: .unreadable)
    }
}
