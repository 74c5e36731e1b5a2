import FileFormats
import Foundation
import SharedTestData
import XCTest

final class JPEGImageTests: TemporaryDirectoryTestCase {
    /// Smooth content, which JPEG reproduces closely (unlike the PNG tests' pixel noise).
    private let picture: RGBImage = {
        let (w, h) = (48, 40)
        var pixels = [UInt8]()
        for y in 0..<h {
            for x in 0..<w {
                let fx = Double(x) / Double(w), fy = Double(y) / Double(h)
                pixels.append(UInt8(40 + 180 * fx))
                pixels.append(UInt8(30 + 190 * fy))
                pixels.append(UInt8(128 + 100 * sin(2 * Double.pi * (fx + fy))))
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }()

    /// Mean absolute difference per channel value.
    private func meanError(_ a: RGBImage, _ b: RGBImage) -> Double {
        XCTAssertEqual(a.width, b.width)
        XCTAssertEqual(a.height, b.height)
        let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(max(1, a.pixels.count))
    }

    /// The first start-of-frame marker in the stream (0xC0 baseline, 0xC2 progressive) and its component count.
    private func frameMarker(_ data: Data) -> (marker: UInt8, components: UInt8)? {
        let bytes = [UInt8](data)
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if (0xC0...0xC3).contains(marker) { return (marker, bytes[i + 9]) }
            i += 2 + Int(bytes[i + 2]) << 8 + Int(bytes[i + 3])
        }
        return nil
    }

    func testBaselineRoundTripIsClose() throws {
        let data = try JPEGImage.encode(picture, quality: 95, subsampling: .s444)
        XCTAssertEqual(frameMarker(data)?.marker, 0xC0)
        let back = try JPEGImage.decode(data, path: "mem")
        XCTAssertLessThan(meanError(back, picture), 3)
        // Lower quality and 4:2:0 still resemble the input, but less closely.
        let rough = try JPEGImage.decode(JPEGImage.encode(picture, quality: 40), path: "mem")
        XCTAssertLessThan(meanError(rough, picture), 12)
        XCTAssertGreaterThan(meanError(rough, picture), meanError(back, picture))
    }

    func testProgressiveDecodes() throws {
        let data = try JPEGImage.encode(picture, quality: 95, subsampling: .s444, progressive: true)
        XCTAssertEqual(frameMarker(data)?.marker, 0xC2, "progressive frame")
        XCTAssertLessThan(meanError(try JPEGImage.decode(data, path: "p"), picture), 3)
    }

    func testGrayscaleDecodesToEqualChannels() throws {
        let data = try JPEGImage.encode(picture, quality: 95, subsampling: .gray)
        XCTAssertEqual(frameMarker(data)?.components, 1, "one-component frame")
        let back = try JPEGImage.decode(data, path: "g")
        XCTAssertEqual(back.width, picture.width)
        for i in stride(from: 0, to: back.pixels.count, by: 3) {
            XCTAssertEqual(back.pixels[i], back.pixels[i + 1])
            XCTAssertEqual(back.pixels[i], back.pixels[i + 2])
        }
        // Luminance (BT.601) of the first pixel.
        let (r, g, b) = (Double(picture.pixels[0]), Double(picture.pixels[1]), Double(picture.pixels[2]))
        XCTAssertEqual(Double(back.pixels[0]), 0.299 * r + 0.587 * g + 0.114 * b, accuracy: 4)
    }

    func testCMYKIsConvertedToRGB() throws {
        // Inverted CMYK (255 = no ink): with K = 255 the C, M, Y values are the RGB values;
        // with K halved every channel is halved.
        var cmyk = [UInt8]()
        for i in stride(from: 0, to: picture.pixels.count, by: 3) {
            cmyk += [picture.pixels[i], picture.pixels[i + 1], picture.pixels[i + 2], 255]
        }
        let data = try JPEGImage.encodeCMYK(width: picture.width, height: picture.height, cmyk: cmyk, quality: 98)
        XCTAssertEqual(frameMarker(data)?.components, 4, "four-component frame")
        let back = try JPEGImage.decode(data, path: "cmyk")
        XCTAssertLessThan(meanError(back, picture), 3)

        let flat = try JPEGImage.encodeCMYK(
            width: 16, height: 16, cmyk: Array(repeating: [200, 100, 40, 128], count: 256).flatMap { $0 },
            quality: 100)
        let px = try JPEGImage.decode(flat, path: "flat").pixels
        XCTAssertEqual(Double(px[0]), 200 * 128 / 255, accuracy: 2)
        XCTAssertEqual(Double(px[1]), 100 * 128 / 255, accuracy: 2)
        XCTAssertEqual(Double(px[2]), 40 * 128 / 255, accuracy: 2)
    }

    func testWriteAndReadAFile() throws {
        let url = tmp.appendingPathComponent("photo.jpg")
        try JPEGImage.write(picture, to: url, quality: 95)
        XCTAssertLessThan(meanError(try JPEGImage.read(from: url), picture), 4)
        XCTAssertLessThan(meanError(try ImageFile.read(from: url), picture), 4)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["photo.jpg"])
    }

    func testEncoderRejectsBadArguments() {
        assertFormatError(try JPEGImage.encode(picture, quality: 0), kind: .unsupported)
        assertFormatError(try JPEGImage.encode(picture, quality: 101), kind: .unsupported)
        assertFormatError(try JPEGImage.encodeCMYK(width: 2, height: 2, cmyk: [1, 2, 3]), kind: .malformed)
    }

    func testRealOxfordFlowersPhotos() throws {
        let folder = try SharedTestData.url("data/oxford102/jpg")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }
            .sorted()
        guard !names.isEmpty else { throw XCTSkip("no .jpg files in \(folder.path)") }
        // A spread of files across the folder, not just the first.
        for name in stride(from: 0, to: names.count, by: max(1, names.count / 8)).map({ names[$0] }) {
            let url = folder.appendingPathComponent(name)
            let image = try JPEGImage.read(from: url)
            XCTAssertEqual(min(image.width, image.height), 160, "\(name): shorter side is 160 in this copy")
            XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
            // A photograph is not a flat colour.
            let mean = Double(image.pixels.reduce(0) { $0 + Int($1) }) / Double(image.pixels.count)
            let variance =
                image.pixels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(image.pixels.count)
            XCTAssertGreaterThan(variance, 100, name)
            XCTAssertEqual(try ImageFile.read(from: url), image, "sniffing dispatches to the same decoder")
        }
    }

    // MARK: Malformed input

    func testZeroBytesAndWrongMagic() {
        assertFormatError(try JPEGImage.decode(Data(), path: "empty.jpg"), kind: .truncated, containing: "empty.jpg")
        assertFormatError(try JPEGImage.decode(Data("GIF89a......".utf8), path: "x.jpg"), kind: .badMagic)
        assertFormatError(try JPEGImage.decode(Data([0xFF, 0xD8, 0xFF]), path: "x"))
    }

    func testTruncatedAtManyLengthsIsAnError() throws {
        for progressive in [false, true] {
            let data = try JPEGImage.encode(picture, quality: 90, progressive: progressive)
            for cut in stride(from: 3, to: data.count - 1, by: 7) {
                assertFormatError(try JPEGImage.decode(data.prefix(cut), path: "cut.jpg"))
            }
            // Cut in the middle of the entropy-coded data: libjpeg's "premature end" warning.
            assertFormatError(try JPEGImage.decode(data.prefix(data.count * 3 / 4), path: "cut.jpg"), kind: .truncated)
        }
    }

    func testCorruptScanDataIsAnError() throws {
        var data = try JPEGImage.encode(picture, quality: 90)
        // Overwrite part of the scan with stuffed 0xFF bytes (FF 00): a run of 1-bits, which is never
        // a valid Huffman code, so libjpeg reports "bad Huffman code".
        let bytes = [UInt8](data)
        let sos = try XCTUnwrap((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA })
        let start = sos + 30  // past the SOS header, inside the entropy-coded data
        for i in stride(from: start, to: start + 64, by: 2) {
            data[i] = 0xFF
            data[i + 1] = 0x00
        }
        assertFormatError(try JPEGImage.decode(data, path: "corrupt.jpg"), kind: .malformed, containing: "corrupt.jpg")

        // Scan bytes removed: the decoder finds stray bytes before the end marker.
        var shortened = try JPEGImage.encode(picture, quality: 90)
        shortened.removeSubrange(start..<start + 40)
        assertFormatError(try JPEGImage.decode(shortened, path: "short.jpg"), kind: .malformed)
    }

    func testAbsurdDimensionsAreRefused() throws {
        var data = try JPEGImage.encode(picture, quality: 90)
        let bytes = [UInt8](data)
        let sof = try XCTUnwrap((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        // SOF0: FF C0, length(2), precision(1), height(2), width(2).
        data.replaceSubrange(sof + 5..<sof + 9, with: [0xEA, 0x60, 0xEA, 0x60])  // 60000 × 60000
        assertFormatError(try JPEGImage.decode(data, path: "huge.jpg"), kind: .unsupported, containing: "60000×60000")
    }
}
