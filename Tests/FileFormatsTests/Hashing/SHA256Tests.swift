import FileFormats
import Foundation
import XCTest

/// Test vectors from FIPS 180-4's examples (NIST CSRC "SHA256.pdf") and the NESSIE million-'a' vector.
final class SHA256Tests: TemporaryDirectoryTestCase {
    func testStandardVectors() {
        XCTAssertEqual(SHA256.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash([UInt8]()).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // The 896-bit two-block message.
        XCTAssertEqual(
            SHA256.hash(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ).hex,
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    func testIncrementalHashingMatchesOneShotForEverySplit() {
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected = SHA256.hash(message)
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 128, 200, 300] {
            var h = SHA256()
            h.update(Array(message[..<split]))
            h.update(Data(message[split...]))
            XCTAssertEqual(h.finalize(), expected, "split at \(split)")
        }
        // Byte by byte, and finalize() does not consume the hasher.
        var h = SHA256()
        for b in message { h.update([b]) }
        XCTAssertEqual(h.finalize(), expected)
        XCTAssertEqual(h.finalize(), expected)
        // Padding boundaries: lengths around one block.
        for n in 54...66 {
            let m = [UInt8](repeating: 0x61, count: n)
            var inc = SHA256()
            inc.update(Array(m[..<(n / 2)]))
            inc.update(Array(m[(n / 2)...]))
            XCTAssertEqual(inc.finalize(), SHA256.hash(m))
        }
    }

    func testHashFileStreamsInChunks() throws {
        let url = tmp.appendingPathComponent("million-a.txt")
        try AtomicFile.write(Data(repeating: UInt8(ascii: "a"), count: 1_000_000), to: url)
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        XCTAssertEqual(try SHA256.hashFile(at: url).hex, expected)
        XCTAssertEqual(try SHA256.hashFile(at: url, chunkSize: 1000).hex, expected)
        XCTAssertEqual(try SHA256.hashFile(at: url, chunkSize: 65_537).description, expected)

        let empty = tmp.appendingPathComponent("empty")
        try AtomicFile.write(Data(), to: empty)
        XCTAssertEqual(try SHA256.hashFile(at: empty).hex, SHA256.hash([UInt8]()).hex)

        assertFormatError(
            try SHA256.hashFile(at: tmp.appendingPathComponent("missing")), kind: .notFound, containing: "missing")
    }
}
