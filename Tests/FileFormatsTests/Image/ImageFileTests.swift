import FileFormats
import Foundation
import XCTest

final class ImageFileTests: TemporaryDirectoryTestCase {
    func testDispatchesOnContentNotExtension() throws {
        let picture = PNGImageTests.testPicture(width: 8, height: 6)
        // A PNG named .jpg is still read as PNG (exactly).
        let misnamed = tmp.appendingPathComponent("really-a-png.jpg")
        try PNGImage.write(picture, to: misnamed)
        XCTAssertEqual(try ImageFile.read(from: misnamed), picture)
        // A JPEG in memory.
        let jpeg = try JPEGImage.encode(picture, quality: 90)
        XCTAssertEqual(try ImageFile.decode(jpeg, path: "m").width, 8)
    }

    func testDecodesDataSlicesThatDoNotStartAtIndexZero() throws {
        let picture = PNGImageTests.testPicture(width: 5, height: 4)
        for encoded in [try PNGImage.encode(picture), try JPEGImage.encode(picture, quality: 100, subsampling: .s444)] {
            var padded = Data([1, 2, 3, 4, 5])
            padded.append(encoded)
            let slice = padded.dropFirst(5)
            XCTAssertEqual(slice.startIndex, 5)
            XCTAssertEqual(try ImageFile.decode(slice, path: "slice"), try ImageFile.decode(encoded, path: "whole"))
        }
    }

    func testUnsupportedFormatsAreNamed() {
        assertFormatError(try ImageFile.decode(Data(), path: "empty"), kind: .truncated)
        assertFormatError(
            try ImageFile.decode(Data("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8), path: "a.gif"),
            kind: .unsupported, containing: "GIF")
        assertFormatError(
            try ImageFile.decode(Data([0x42, 0x4D, 0, 0, 0, 0]), path: "a.bmp"),
            kind: .unsupported, containing: "BMP")
        assertFormatError(
            try ImageFile.decode(Data("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), path: "a.webp"),
            kind: .unsupported, containing: "WebP")
        assertFormatError(
            try ImageFile.decode(Data("hello, world".utf8), path: "notes.txt"),
            kind: .unsupported, containing: "unsupported image format")
        assertFormatError(try ImageFile.read(from: tmp.appendingPathComponent("missing.png")), kind: .notFound)
    }
}
