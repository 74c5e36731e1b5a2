import Datasets
import FileFormats
import Foundation
import SharedTestData
import XCTest

final class MD5Tests: XCTestCase {
    /// The test suite of RFC 1321, appendix A.5.
    func testRFC1321Vectors() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a"
            ),
        ]
        for (input, digest) in vectors {
            XCTAssertEqual(MD5.hex(Array(input.utf8)), digest, "MD5(\"\(input)\")")
        }
    }

    func testMillionAs() {
        XCTAssertEqual(
            MD5.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)), "7707d6ae4e027c70eea2a935c2296f21")
    }

    /// Padding crosses a block boundary at 56 bytes; chunked updates must agree with one-shot ones.
    func testChunkedUpdatesMatchOneShot() {
        var rng = SystemRandomNumberGenerator()
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 1000] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var chunked = MD5()
            var i = 0
            var step = 1
            while i < data.count {
                let end = min(data.count, i + step)
                chunked.update(Array(data[i..<end]))
                i = end
                step = step % 70 + 3
            }
            XCTAssertEqual(chunked.finalizeHex(), MD5.hex(data), "length \(length)")
        }
    }

    func testFileDigestAndTheSharedLabelsFile() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("x.bin", Data("message digest".utf8))
        XCTAssertEqual(try MD5.hex(ofFile: file), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertThrowsError(try MD5.hex(ofFile: dir.url.appendingPathComponent("missing")))
        // The shared copy of imagelabels.mat is the official file: its MD5 is the published one.
        let labels = try SharedTestData.url("data/oxford102/imagelabels.mat")
        let official = OxfordDownloader.officialFiles.first { $0.name == "imagelabels.mat" }!
        XCTAssertEqual(try MD5.hex(ofFile: labels), official.md5)
    }
}
