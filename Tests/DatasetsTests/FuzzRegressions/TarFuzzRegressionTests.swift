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
}
