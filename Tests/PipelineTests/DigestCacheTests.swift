import FileFormats
import Foundation
import Pipeline
import XCTest

final class DigestCacheTests: XCTestCase {
    /// An unchanged file is not read again, across processes (the cache is saved in the run
    /// folder); a file rewritten, even with the same size, is.
    func testUnchangedFilesAreNotHashedAgain() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("digests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: run) }
        try FileManager.default.createDirectory(
            at: run.appendingPathComponent("flow"), withIntermediateDirectories: true)
        let file = run.appendingPathComponent("flow/model.safetensors")
        try Data("weights-1".utf8).write(to: file)

        let first = DigestCache(runFolder: run)
        XCTAssertEqual(try first.sha256(of: file), SHA256.hash(Data("weights-1".utf8)).hex)
        XCTAssertEqual(first.filesHashed, 1)
        first.save()

        let second = DigestCache(runFolder: run)
        XCTAssertEqual(try second.sha256(of: file), SHA256.hash(Data("weights-1".utf8)).hex)
        XCTAssertEqual(second.filesHashed, 0, "identity unchanged: taken from the cache")

        try Data("weights-2".utf8).write(to: file)
        XCTAssertEqual(try second.sha256(of: file), SHA256.hash(Data("weights-2".utf8)).hex, "same size, new contents")
        XCTAssertEqual(second.filesHashed, 1)
    }

    /// A damaged cache file is ignored, never trusted.
    func testAnUnreadableCacheIsIgnored() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("digests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: run) }
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: run.appendingPathComponent(DigestCache.fileName))
        let file = run.appendingPathComponent("a.bin")
        try Data("abc".utf8).write(to: file)
        let cache = DigestCache(runFolder: run)
        XCTAssertEqual(try cache.sha256(of: file), SHA256.hash(Data("abc".utf8)).hex)
    }
}
