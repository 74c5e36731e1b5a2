import FileFormats
import Foundation
import SharedTestData
import XCTest

final class MATFileTests: TemporaryDirectoryTestCase {
    // MARK: The real Oxford Flowers files

    func testOxfordImageLabels() throws {
        let url = try SharedTestData.url("data/oxford102/imagelabels.mat")
        let arrays = try MATFile.read(from: url)
        let labels = try XCTUnwrap(arrays["labels"])
        XCTAssertEqual(labels.dims, [1, 8189])
        XCTAssertEqual(labels.values.count, 8189)
        XCTAssertEqual(labels.values.min(), 1)
        XCTAssertEqual(labels.values.max(), 102)
        XCTAssertTrue(labels.values.allSatisfy { $0 == $0.rounded() })
        XCTAssertEqual(Set(labels.values).count, 102, "every class occurs")
    }

    func testOxfordSplits() throws {
        let url = try SharedTestData.url("data/oxford102/setid.mat")
        let arrays = try MATFile.read(from: url)
        let train = try XCTUnwrap(arrays["trnid"]), valid = try XCTUnwrap(arrays["valid"]),
            test = try XCTUnwrap(arrays["tstid"])
        XCTAssertEqual(train.values.count, 1020)
        XCTAssertEqual(valid.values.count, 1020)
        XCTAssertEqual(test.values.count, 5129)
        XCTAssertEqual(train.dims, [1, 1020])
        let all = train.values + valid.values + test.values
        XCTAssertTrue(all.allSatisfy { (1...8189).contains($0) && $0 == $0.rounded() })
        XCTAssertEqual(Set(all).count, all.count, "the splits are disjoint")
    }

    // MARK: Hand-made files

    func testUncompressedLittleEndianDoubleMatrixIsColumnMajor() throws {
        var mat = HandMadeMAT()
        // MATLAB [1 2 3; 4 5 6] is stored column by column: 1 4 2 5 3 6.
        mat.elements = [mat.matrix("m", dims: [2, 3], values: [1, 4, 2, 5, 3, 6])]
        let url = tmp.appendingPathComponent("m.mat")
        try AtomicFile.write(mat.encoded(), to: url)
        let m = try XCTUnwrap(try MATFile.read(from: url)["m"])
        XCTAssertEqual(m.dims, [2, 3])
        XCTAssertEqual(m.values, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(m.matlabClass, "double")
    }

    func testBigEndianSmallElementsAndEveryStorageType() throws {
        for bigEndian in [false, true] {
            var mat = HandMadeMAT()
            mat.bigEndian = bigEndian
            let values: [Double] = [-3, 0, 7]
            let unsigned: [Double] = [0, 200, 7]
            mat.elements = [
                mat.matrix("i8", dims: [1, 3], values: values, classCode: 8, storage: 1),
                mat.matrix("u8", dims: [1, 3], values: unsigned, classCode: 9, storage: 2),
                mat.matrix("i16", dims: [3, 1], values: values, classCode: 10, storage: 3),
                mat.matrix("u16", dims: [1, 3], values: unsigned, classCode: 11, storage: 4),
                mat.matrix("i32", dims: [1, 3], values: values, classCode: 12, storage: 5),
                mat.matrix("u32", dims: [1, 3], values: unsigned, classCode: 13, storage: 6),
                mat.matrix("s", dims: [1, 3], values: [0.5, -1.25, 3], classCode: 7, storage: 7),
                // A double array stored compactly as int16, as MATLAB does for integral values.
                mat.matrix("d16", dims: [1, 3], values: values, classCode: 6, storage: 3),
                // Small element format: name and 2 bytes of uint8 data each fit in 4 bytes.
                mat.matrix("k", dims: [1, 2], values: [9, 10], classCode: 9, storage: 2, small: true),
            ]
            let arrays = try MATFile.decode(mat.encoded(), path: "be=\(bigEndian)")
            XCTAssertEqual(arrays["i8"]?.values, values)
            XCTAssertEqual(arrays["u8"]?.values, unsigned)
            XCTAssertEqual(arrays["i16"]?.values, values)
            XCTAssertEqual(arrays["i16"]?.dims, [3, 1])
            XCTAssertEqual(arrays["u16"]?.values, unsigned)
            XCTAssertEqual(arrays["i32"]?.values, values)
            XCTAssertEqual(arrays["u32"]?.values, unsigned)
            XCTAssertEqual(arrays["s"]?.values, [0.5, -1.25, 3])
            XCTAssertEqual(arrays["d16"]?.values, values)
            XCTAssertEqual(arrays["d16"]?.matlabClass, "double")
            XCTAssertEqual(arrays["k"]?.values, [9, 10])
            XCTAssertEqual(arrays["k"]?.matlabClass, "uint8")
            XCTAssertEqual(arrays.count, 9)
        }
    }

    func testCompressedElementsAreInflated() throws {
        var mat = HandMadeMAT()
        let ids = (1...500).map(Double.init)
        mat.elements = [
            mat.compressed(mat.matrix("ids", dims: [1, 500], values: ids, classCode: 11, storage: 4)),
            mat.matrix("plain", dims: [1, 1], values: [42]),
            mat.compressed(mat.matrix("w", dims: [2, 2], values: [1, 2, 3, 4])),
        ]
        let arrays = try MATFile.decode(mat.encoded(), path: "c.mat")
        XCTAssertEqual(arrays["ids"]?.values, ids)
        XCTAssertEqual(arrays["plain"]?.values, [42])
        XCTAssertEqual(arrays["w"]?.values, [1, 2, 3, 4])
    }

    func testNonNumericAndComplexArraysAreSkipped() throws {
        var mat = HandMadeMAT()
        // A char array (class 4) stored as uint16 code points, a complex double, and an empty matrix element.
        mat.elements = [
            mat.matrix("name", dims: [1, 2], values: [104, 105], classCode: 4, storage: 4),
            mat.matrix("z", dims: [1, 1], values: [1], complex: true),
            mat.element(14, Data()),
            mat.matrix("x", dims: [1, 1], values: [5]),
        ]
        XCTAssertEqual(try MATFile.decode(mat.encoded(), path: "s.mat"), ["x": MATArray(dims: [1, 1], values: [5])])
    }

    // MARK: Malformed input

    func testHeaderProblems() {
        assertFormatError(try MATFile.decode(Data(), path: "zero.mat"), kind: .truncated, containing: "zero.mat")
        assertFormatError(try MATFile.decode(HandMadeMAT().encoded().prefix(127), path: "x"), kind: .truncated)
        var wrongText = HandMadeMAT()
        wrongText.text = "NOT A MATLAB FILE AT ALL"
        assertFormatError(try MATFile.decode(wrongText.encoded(), path: "x"), kind: .badMagic)
        var v73 = HandMadeMAT()
        v73.version = 0x0200
        assertFormatError(try MATFile.decode(v73.encoded(), path: "x"), kind: .unsupported, containing: "7.3")
        var badEndian = HandMadeMAT().encoded()
        badEndian[126] = UInt8(ascii: "X")
        assertFormatError(try MATFile.decode(badEndian, path: "x"), kind: .badMagic, containing: "endian")
        var v4 = Data(repeating: 0, count: 200)
        v4[4] = 1
        assertFormatError(try MATFile.decode(v4, path: "x"), kind: .unsupported, containing: "MATLAB 4")
        assertFormatError(try MATFile.read(from: tmp.appendingPathComponent("missing.mat")), kind: .notFound)
    }

    func testTruncatedInsideAnElementIsAnError() throws {
        var mat = HandMadeMAT()
        mat.elements = [
            mat.matrix("a", dims: [1, 3], values: [1, 2, 3]),
            mat.compressed(mat.matrix("b", dims: [1, 2], values: [4, 5])),
        ]
        let data = mat.encoded()
        let firstEnd = 128 + mat.elements[0].count
        for cut in 129..<data.count where cut != firstEnd {
            XCTAssertThrowsError(try MATFile.decode(data.prefix(cut), path: "cut"), "cut at \(cut)")
        }
        // Cut exactly between elements: a valid file holding only the first variable.
        XCTAssertEqual(try MATFile.decode(data.prefix(firstEnd), path: "cut").keys.sorted(), ["a"])
    }

    func testLyingSizesAndGarbage() throws {
        let mat = HandMadeMAT()
        // Dimensions promise 5 values, the data has 3.
        var lying = mat
        lying.elements = [mat.matrix("a", dims: [1, 5], values: [1, 2, 3])]
        assertFormatError(try MATFile.decode(lying.encoded(), path: "x"), kind: .malformed, containing: "'a'")
        // Negative dimension.
        var negative = mat
        negative.elements = [mat.matrix("n", dims: [1, -3], values: [1, 2, 3])]
        assertFormatError(try MATFile.decode(negative.encoded(), path: "x"), kind: .malformed)
        // An element claiming ~4 GB.
        var huge = mat
        huge.elements = [mat.u32(14) + mat.u32(0xFFFF_FFF0) + Data(repeating: 0, count: 16)]
        assertFormatError(try MATFile.decode(huge.encoded(), path: "x"), kind: .truncated)
        // Compressed element whose payload is not zlib.
        var garbage = mat
        garbage.elements = [mat.u32(15) + mat.u32(16) + Data((0..<16).map { UInt8($0 * 37 % 251) })]
        assertFormatError(try MATFile.decode(garbage.encoded(), path: "x"), kind: .malformed, containing: "zlib")
        // Compressed element containing garbage elements.
        var inner = mat
        inner.elements = [mat.compressed(mat.u32(14) + mat.u32(4000) + Data(count: 8))]
        assertFormatError(try MATFile.decode(inner.encoded(), path: "x"), kind: .truncated)
        // A small element claiming more than 4 bytes.
        var small = mat
        small.elements = [mat.u32(7 << 16 | 2) + Data(count: 4)]
        assertFormatError(try MATFile.decode(small.encoded(), path: "x"), kind: .malformed)
        // Random bytes after a valid header.
        var noise = mat.encoded()
        noise.append(contentsOf: (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 113 &+ 7) })
        XCTAssertThrowsError(try MATFile.decode(noise, path: "noise"))
    }
}
