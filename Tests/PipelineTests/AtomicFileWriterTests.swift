import FileFormats
import Foundation
import Pipeline
import XCTest

final class AtomicFileWriterTests: XCTestCase {
    func testWritesReplacesAndLeavesNoTemporaryFiles() throws {
        let folder = NSTemporaryDirectory() + "atomic-\(getpid())-\(UUID().uuidString)/nested"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let path = folder + "/report.json"
        try AtomicFileWriter.write(Data("first".utf8), to: path)
        try AtomicFileWriter.write(Data("second".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["report.json"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644)
    }

    func testAnImpossiblePathThrowsAWriteError() throws {
        let file = NSTemporaryDirectory() + "atomic-file-\(getpid())-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try AtomicFileWriter.write(Data("y".utf8), to: file + "/sub/out.json")) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .writeFailed, "\(error)")
        }
    }
}
