import FileFormats
import Foundation
import XCTest

/// PNG files the fuzzer (Fuzz/, target png) found mishandled; inputs in Fixtures/.
final class PNGFuzzRegressionTests: TemporaryDirectoryTestCase {
    /// 41 bytes whose `tEXt` chunk claims 1 GiB: libpng allocated the whole gigabyte before
    /// noticing the file had ended. Now refused before libpng sees it, naming the chunk.
    func testAChunkLongerThanTheFileIsRefusedBeforeLibpngAllocatesIt() throws {
        let url = TestFiles.fixture("png-text-chunk-claims-1-gib.png")
        let data = try Data(contentsOf: url)
        assertFormatError(
            try PNGImage.decode(data, path: url.path), kind: .malformed,
            containing: "chunk 'tEXt' at byte 33 claims 1073741839 bytes, but only 0 follow it")
        assertFormatError(try ImageFile.read(from: url), kind: .malformed, containing: url.path)
    }
}
