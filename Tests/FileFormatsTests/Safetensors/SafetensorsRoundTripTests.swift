import FileFormats
import Foundation
import XCTest

final class SafetensorsRoundTripTests: TemporaryDirectoryTestCase {
    func testEveryDTypeRoundTripsThroughAFile() throws {
        var file = SafetensorsFile(metadata: ["doc": "round \"trip\"\n", "stride": "2"])
        file.tensors["w"] = SafetensorsTensor(floats: [1.5, -2, 0, .infinity, 3e-8, 7], shape: [2, 3])
        file.tensors["ids"] = SafetensorsTensor(int64s: [0, -1, .max, .min], shape: [4])
        file.tensors["half"] = try SafetensorsTensor(dtype: .f16, shape: [2], bytes: [0x00, 0x3C, 0x00, 0xC0])
        file.tensors["i32"] = try SafetensorsTensor(
            dtype: .i32, shape: [1, 2], bytes: [0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0])
        file.tensors["i16"] = try SafetensorsTensor(dtype: .i16, shape: [2], bytes: [0x00, 0x80, 0x01, 0x00])
        file.tensors["u8"] = try SafetensorsTensor(dtype: .u8, shape: [3], bytes: [0, 128, 255])
        file.tensors["scalar"] = SafetensorsTensor(floats: [42], shape: [])
        file.tensors["empty"] = SafetensorsTensor(floats: [], shape: [0, 5])

        let url = tmp.appendingPathComponent("all.safetensors")
        try file.write(to: url)
        let back = try SafetensorsFile.read(from: url)
        XCTAssertEqual(back.tensors, file.tensors)
        XCTAssertEqual(back.metadata, file.metadata)

        XCTAssertEqual(try back.tensors["w"]!.floats(), [1.5, -2, 0, .infinity, 3e-8, 7])
        XCTAssertEqual(try back.tensors["ids"]!.int64s(), [0, -1, .max, .min])
        XCTAssertEqual(try back.tensors["half"]!.floats(), [1, -2])
        XCTAssertEqual(try back.tensors["i32"]!.int64s(), [-1, 5])
        XCTAssertEqual(try back.tensors["i16"]!.int64s(), [-32768, 1])
        XCTAssertEqual(try back.tensors["u8"]!.int64s(), [0, 128, 255])
        XCTAssertEqual(back.tensors["scalar"]!.shape, [])
        XCTAssertEqual(try back.tensors["scalar"]!.floats(), [42])
        XCTAssertEqual(back.tensors["empty"]!.shape, [0, 5])

        // Only the final file is left: no temporary files from the atomic write.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["all.safetensors"])
    }

    func testEncodingIsDeterministicSortedAndAligned() throws {
        var a = SafetensorsFile(metadata: ["k": "v"])
        a.tensors["zeta"] = SafetensorsTensor(floats: [1], shape: [1])
        a.tensors["alpha"] = SafetensorsTensor(int64s: [2, 3], shape: [2])
        let data = try a.encoded()
        XCTAssertEqual(try a.encoded(), data)

        let n = Int(
            data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
        let header = String(decoding: data[8..<8 + n], as: UTF8.self)
        XCTAssertEqual(
            header.trimmingCharacters(in: .whitespaces),
            #"{"__metadata__":{"k":"v"},"alpha":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"#
                + #""zeta":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#)
        XCTAssertEqual(data.count, 8 + n + 20)
        // alpha's data comes first because names are sorted.
        XCTAssertEqual(Array(data[8 + n..<8 + n + 8]), [2, 0, 0, 0, 0, 0, 0, 0])
    }

    func testTensorAccessorsRejectTheWrongKind() throws {
        XCTAssertThrowsError(try SafetensorsTensor(int64s: [1], shape: [1]).floats())
        XCTAssertThrowsError(try SafetensorsTensor(floats: [1], shape: [1]).int64s())
        XCTAssertThrowsError(
            try SafetensorsTensor(dtype: .f32, shape: [2, 2], bytes: [UInt8](repeating: 0, count: 12)))
        XCTAssertThrowsError(try SafetensorsTensor(dtype: .u8, shape: [-1], bytes: []))
        XCTAssertNoThrow(try SafetensorsTensor(dtype: .i16, shape: [3], bytes: [UInt8](repeating: 0, count: 6)))
    }

    func testTensorNamedLikeTheMetadataKeyIsRefused() {
        let file = SafetensorsFile(tensors: ["__metadata__": SafetensorsTensor(floats: [1], shape: [1])])
        assertFormatError(try file.write(to: tmp.appendingPathComponent("x.safetensors")), kind: .malformed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("x.safetensors").path))
    }

    func testWritingIntoAMissingFolderNamesThePath() {
        let url = tmp.appendingPathComponent("no/such/folder/a.safetensors")
        let error = assertFormatError(try SafetensorsFile().write(to: url), kind: .writeFailed)
        XCTAssertEqual(error?.path, url.path)
        XCTAssertTrue(error?.message.contains("does not exist") ?? false, "\(String(describing: error))")
    }

    func testHalfFloatConversionMatchesIEEE() {
        XCTAssertEqual(HalfFloat.float(fromBits: 0x3C00), 1)
        XCTAssertEqual(HalfFloat.float(fromBits: 0xC000), -2)
        XCTAssertEqual(HalfFloat.float(fromBits: 0x7BFF), 65504)
        XCTAssertEqual(HalfFloat.float(fromBits: 0x0001), Float(bitPattern: 0x3380_0000))  // 2^-24
        XCTAssertEqual(HalfFloat.float(fromBits: 0x0400), Float(bitPattern: 0x3880_0000))  // 2^-14
        XCTAssertEqual(HalfFloat.float(fromBits: 0x7C00), .infinity)
        XCTAssertTrue(HalfFloat.float(fromBits: 0x7E00).isNaN)
        XCTAssertEqual(HalfFloat.float(fromBits: 0x8000).sign, .minus)
        // Every non-NaN half survives a trip through Float.
        for bits in UInt16.min...UInt16.max where !HalfFloat.float(fromBits: bits).isNaN {
            XCTAssertEqual(HalfFloat.bits(from: HalfFloat.float(fromBits: bits)), bits)
        }
        // Rounding: 1 + 2^-11 is halfway between 1 and the next half; ties go to even (1).
        XCTAssertEqual(HalfFloat.bits(from: 1 + 1.0 / 2048), 0x3C00)
        XCTAssertEqual(HalfFloat.bits(from: 1 + 3.0 / 2048), 0x3C02)
        XCTAssertEqual(HalfFloat.bits(from: 1e6), 0x7C00)
        XCTAssertEqual(HalfFloat.bits(from: 1e-9), 0x0000)
    }
}
