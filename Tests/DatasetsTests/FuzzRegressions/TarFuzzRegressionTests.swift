import Datasets
import FileFormats
import Foundation
import XCTest

/// Archives the tar fuzz target (Fuzz/, target tar) showed mishandled; inputs in Fixtures/.
final class TarFuzzRegressionTests: XCTestCase {
    private func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)")
    }

    /// A folder entry whose GNU base-256 size is 2^63 − 257: adding its padding overflowed Int
    /// (found reading TarReader while writing the fuzz target; the target crashed on it). Now a
    /// clear error naming the archive, and nothing is unpacked.
    func testAnEntrySizeNearIntMaxIsAnErrorNotAnOverflow() throws {
        let dir = try TemporaryDirectory()
        let tar = try Data(contentsOf: fixture("tar-directory-size-overflows.tar"))
        let archive = try dir.write("huge.tgz", Data(Gzip.compress(Array(tar))))
        let out = dir.url.appendingPathComponent("out")
        XCTAssertThrowsError(try TarGzExtractor.extract(archive, into: out)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains(archive.path) && text.contains("claims 9223372036854775551 bytes"), text)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "nothing unpacked")
    }

    /// A PAX extended header whose record says it is 1 byte long, shorter than its own length
    /// field and space (found by the gzip target after 72,644 executions, 2026-12-07): reading its
    /// `path` built a range running backwards, a trap (or, with the checks compiled out, a read
    /// out of bounds). Now the malformed record is ignored like any other, and the archive, cut off
    /// inside its gzip stream, is refused with an error naming it.
    func testAPAXRecordShorterThanItsLengthFieldIsNotATrap() throws {
        let dir = try TemporaryDirectory()
        let archive = try dir.write(
            "pax.tgz", try Data(contentsOf: fixture("pax-record-shorter-than-its-length-field.tar.gz")))
        let out = dir.url.appendingPathComponent("out")
        XCTAssertThrowsError(try TarGzExtractor.extract(archive, into: out)) { error in
            XCTAssertTrue(String(describing: error).contains(archive.path), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "nothing unpacked")
    }
}
