import Dispatch
import FileFormats
import Foundation
import XCTest

/// PNG files written from several threads at once, as `pipeline generate` writes its samples.
/// Under ThreadSanitizer (`swift test --sanitize=thread`) this is the check that libpng's
/// simplified API and the atomic writes share no unsynchronised state between threads.
final class PNGParallelWriteTests: TemporaryDirectoryTestCase {
    func testThreadsWritingDistinctFilesAtOnceEachGetTheirOwnImage() throws {
        let count = 24
        let images = (0..<count).map { i in
            RGBImage(
                width: 9 + i % 4, height: 7, pixels: (0..<(9 + i % 4) * 7 * 3).map { UInt8(($0 * 31 + i * 17) & 0xFF) })
        }
        let urls = (0..<count).map { tmp.appendingPathComponent("sample-\($0).png") }
        let failures = NSLock()
        var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: count) { i in
            do {
                try PNGImage.write(images[i], to: urls[i])
            } catch {
                failures.lock()
                errors.append("\(error)")
                failures.unlock()
            }
        }
        XCTAssertEqual(errors, [])
        for i in 0..<count {
            XCTAssertEqual(try PNGImage.read(from: urls[i]), images[i], "file \(i)")
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: tmp.path).count, count, "no temporary files left")
    }
}
