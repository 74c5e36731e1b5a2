import FileFormats
import Foundation
import XCTest

final class PNGImageTests: TemporaryDirectoryTestCase {
    /// A deterministic test picture with gradients and noise-like detail.
    static func testPicture(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1))
                pixels[i + 1] = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1))
                pixels[i + 2] = UInt8(truncatingIfNeeded: (x * 31 + y * 17) ^ (x * y))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    func testRGBRoundTripThroughAFile() throws {
        let picture = Self.testPicture(width: 37, height: 23)
        let url = tmp.appendingPathComponent("picture.png")
        try PNGImage.write(picture, to: url)
        XCTAssertEqual(try PNGImage.read(from: url), picture)
        XCTAssertEqual(try PNGImage.decode(PNGImage.encode(picture), path: "mem"), picture)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["picture.png"])
    }

    func testLargeImageRoundTrip() throws {
        let picture = Self.testPicture(width: 640, height: 480)
        XCTAssertEqual(try PNGImage.decode(PNGImage.encode(picture), path: "mem"), picture)
    }

    func testRGBAIsCompositedOverBlack() throws {
        // Four pixels: opaque red, transparent white, opaque grey, half-transparent white.
        let rgba: [UInt8] = [255, 0, 0, 255, 255, 255, 255, 0, 77, 77, 77, 255, 255, 255, 255, 128]
        let url = tmp.appendingPathComponent("alpha.png")
        try PNGImage.writeRGBA(width: 2, height: 2, pixels: rgba, to: url)
        let back = try PNGImage.read(from: url)
        XCTAssertEqual(Array(back.pixels[0..<3]), [255, 0, 0])
        XCTAssertEqual(Array(back.pixels[3..<6]), [0, 0, 0])
        XCTAssertEqual(Array(back.pixels[6..<9]), [77, 77, 77])
        // Half coverage of white over black, blended in linear light then sRGB-encoded: about 188.
        XCTAssertTrue((170...200).contains(back.pixels[9]), "\(back.pixels[9])")
    }

    func testWriteRejectsInconsistentSizes() {
        assertFormatError(
            try PNGImage.writeRGBA(width: 2, height: 2, pixels: [1, 2, 3], to: tmp.appendingPathComponent("x.png")),
            kind: .malformed)
        assertFormatError(try PNGImage.encode(RGBImage(width: 0, height: 0, pixels: [])), kind: .unsupported)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("x.png").path))
    }

    // MARK: Files in every layout, made without libpng

    private func decode(_ png: HandMadePNG, file: StaticString = #filePath, line: UInt = #line) throws -> RGBImage {
        let image = try PNGImage.decode(png.encoded(), path: "handmade")
        XCTAssertEqual(image.width, png.width, file: file, line: line)
        XCTAssertEqual(image.height, png.height, file: file, line: line)
        return image
    }

    func testGrayAtEveryBitDepth() throws {
        for depth in [1, 2, 4, 8, 16] {
            let maxValue = (1 << depth) - 1
            let samples = (0..<12).map { $0 * maxValue / 11 }
            let image = try decode(
                HandMadePNG(width: 4, height: 3, colorType: .gray, bitDepth: depth, samples: samples))
            for (i, s) in samples.enumerated() {
                let expected = Double(s) * 255 / Double(maxValue)
                let got = image.pixels[3 * i]
                XCTAssertEqual(Double(got), expected, accuracy: 1, "depth \(depth) sample \(s)")
                XCTAssertEqual(image.pixels[3 * i + 1], got)
                XCTAssertEqual(image.pixels[3 * i + 2], got)
            }
        }
    }

    func testRGBAndRGBAAt8And16Bits() throws {
        let rgb8 = [10, 20, 30, 200, 100, 0, 255, 255, 255, 0, 0, 1]
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 2, colorType: .rgb, bitDepth: 8, samples: rgb8)).pixels,
            rgb8.map(UInt8.init))
        let rgb16 = rgb8.map { $0 * 257 }
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 2, colorType: .rgb, bitDepth: 16, samples: rgb16)).pixels,
            rgb8.map(UInt8.init), "16-bit without gAMA is treated as sRGB: v*257 reduces to v")
        let rgba8 = [10, 20, 30, 255, 200, 100, 0, 0]
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 1, colorType: .rgba, bitDepth: 8, samples: rgba8)).pixels,
            [10, 20, 30, 0, 0, 0])
        let rgba16 = rgba8.map { $0 * 257 }
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 1, colorType: .rgba, bitDepth: 16, samples: rgba16)).pixels,
            [10, 20, 30, 0, 0, 0])
    }

    func testGrayAlpha() throws {
        let ga8 = [90, 255, 200, 0]
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 1, colorType: .grayAlpha, bitDepth: 8, samples: ga8)).pixels,
            [90, 90, 90, 0, 0, 0])
        let ga16 = ga8.map { $0 * 257 }
        XCTAssertEqual(
            try decode(HandMadePNG(width: 2, height: 1, colorType: .grayAlpha, bitDepth: 16, samples: ga16)).pixels,
            [90, 90, 90, 0, 0, 0])
    }

    func testPalettesWithTransparency() throws {
        let palette: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (250, 250, 10)]
        for depth in [2, 4, 8] {
            let png = HandMadePNG(
                width: 3, height: 2, colorType: .palette, bitDepth: depth, samples: [0, 1, 2, 3, 2, 1],
                palette: palette, transparency: [255, 255, 255, 0])
            XCTAssertEqual(
                try decode(png).pixels,
                [255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 0, 255, 0], "depth \(depth)")
        }
        let onebit = HandMadePNG(
            width: 9, height: 1, colorType: .palette, bitDepth: 1, samples: [0, 1, 1, 0, 0, 0, 0, 1, 1],
            palette: [(1, 2, 3), (4, 5, 6)])
        XCTAssertEqual(
            try decode(onebit).pixels,
            [0, 1, 1, 0, 0, 0, 0, 1, 1].flatMap { $0 == 0 ? [1, 2, 3] : [4, 5, 6] as [UInt8] })
    }

    func testInterlacedMatchesNonInterlaced() throws {
        let picture = Self.testPicture(width: 13, height: 11)
        let samples = picture.pixels.map(Int.init)
        var png = HandMadePNG(width: 13, height: 11, colorType: .rgb, bitDepth: 8, samples: samples)
        png.interlaced = true
        XCTAssertEqual(try decode(png), picture)
        // A 1×1 interlaced image has six empty passes.
        let tiny = HandMadePNG(width: 1, height: 1, colorType: .gray, bitDepth: 2, samples: [2], interlaced: true)
        XCTAssertEqual(try decode(tiny).pixels, [170, 170, 170])
    }

    // MARK: Malformed input

    func testZeroBytesWrongMagicAndMissingFile() {
        assertFormatError(try PNGImage.decode(Data(), path: "empty.png"), kind: .truncated, containing: "empty.png")
        assertFormatError(
            try PNGImage.decode(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46, 0x49, 0x46]), path: "x"),
            kind: .badMagic)
        assertFormatError(try PNGImage.read(from: tmp.appendingPathComponent("absent.png")), kind: .notFound)
    }

    func testTruncatedAtEveryLengthIsAnError() throws {
        let data = try PNGImage.encode(Self.testPicture(width: 9, height: 7))
        for cut in 0..<data.count - 12 {  // up to IEND: the pixel data is incomplete
            XCTAssertThrowsError(try PNGImage.decode(data.prefix(cut), path: "cut"), "cut at \(cut)")
        }
    }

    func testCorruptedDataIsAnError() throws {
        var data = try PNGImage.encode(Self.testPicture(width: 9, height: 7))
        // Flip bytes inside the IDAT payload: the chunk CRC no longer matches.
        let idat = try XCTUnwrap(data.range(of: Data("IDAT".utf8)))
        data[idat.upperBound + 4] ^= 0xFF
        data[idat.upperBound + 5] ^= 0x55
        assertFormatError(try PNGImage.decode(data, path: "flipped"), kind: .malformed)
        // Random garbage after a valid signature.
        var garbage = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        garbage.append(contentsOf: (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) })
        assertFormatError(try PNGImage.decode(garbage, path: "garbage"), kind: .malformed)
    }

    func testAbsurdDimensionsAreRefusedBeforeAllocating() {
        var png = HandMadePNG(width: 1, height: 1, colorType: .rgb, bitDepth: 8, samples: [1, 2, 3]).encoded()
        // Patch IHDR to claim 100000 × 100000 (and fix its CRC) while keeping the tiny pixel data.
        var ihdr = Data("IHDR".utf8)
        ihdr.appendBE32(100_000)
        ihdr.appendBE32(100_000)
        ihdr.append(contentsOf: [8, 2, 0, 0, 0])
        png.replaceSubrange(12..<29, with: ihdr)
        png.replaceSubrange(29..<33, with: withUnsafeBytes(of: HandMadePNG.crc32(ihdr).bigEndian) { Data($0) })
        assertFormatError(try PNGImage.decode(png, path: "huge.png"), kind: .unsupported, containing: "100000×100000")

        // Zero width is invalid in IHDR.
        var zero = HandMadePNG(width: 1, height: 1, colorType: .gray, bitDepth: 8, samples: [1]).encoded()
        var ihdr0 = Data("IHDR".utf8)
        ihdr0.appendBE32(0)
        ihdr0.appendBE32(1)
        ihdr0.append(contentsOf: [8, 0, 0, 0, 0])
        zero.replaceSubrange(12..<29, with: ihdr0)
        zero.replaceSubrange(29..<33, with: withUnsafeBytes(of: HandMadePNG.crc32(ihdr0).bigEndian) { Data($0) })
        assertFormatError(try PNGImage.decode(zero, path: "zero.png"))
    }
}
