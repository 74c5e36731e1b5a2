import FileFormats
import Foundation
import XCTest

final class AtomicFileTests: TemporaryDirectoryTestCase {
    private func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted() }

    func testWriteCreatesAndReplacesWithoutLeavingTemporaries() throws {
        let url = tmp.appendingPathComponent("out.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3]))
        try AtomicFile.write(Data([9]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([9]))
        try AtomicFile.write(Data(), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data())
        XCTAssertEqual(try entries(), ["out.bin"])
    }

    func testMissingFolderAndFileAsFolderAreClearErrors() throws {
        let missing = tmp.appendingPathComponent("nope/out.bin")
        let e1 = assertFormatError(try AtomicFile.write(Data([1]), to: missing), kind: .writeFailed)
        XCTAssertEqual(e1?.path, missing.path)
        XCTAssertTrue(e1?.message.contains(tmp.appendingPathComponent("nope").path) ?? false, "names the folder")

        let blocker = tmp.appendingPathComponent("plain-file")
        try AtomicFile.write(Data([1]), to: blocker)
        assertFormatError(try AtomicFile.write(Data([1]), to: blocker.appendingPathComponent("x")), kind: .writeFailed)
    }

    func testUnwritableFolderIsAClearError() throws {
        let locked = tmp.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        if FileManager.default.isWritableFile(atPath: locked.path) {
            throw XCTSkip("running with privileges that ignore folder permissions (root)")
        }
        assertFormatError(
            try AtomicFile.write(Data([1]), to: locked.appendingPathComponent("a")),
            kind: .writeFailed, containing: "permission denied")
    }

    func testWriterClosureCommitsOnlyOnSuccess() throws {
        struct Boom: Error {}
        let url = tmp.appendingPathComponent("made-by-writer.txt")
        try AtomicFile.write(Data("old".utf8), to: url)

        XCTAssertThrowsError(
            try AtomicFile.write(to: url) { temporary in
                XCTAssertEqual(
                    temporary.deletingLastPathComponent().path, url.deletingLastPathComponent().path,
                    "temporary file lives in the destination folder so the rename is atomic")
                try Data("half-written".utf8).write(to: temporary)
                throw Boom()
            })
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old")
        XCTAssertEqual(try entries(), ["made-by-writer.txt"])

        let n = try AtomicFile.write(to: url) { temporary -> Int in
            try Data("new".utf8).write(to: temporary)
            return 3
        }
        XCTAssertEqual(n, 3)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new")
        XCTAssertEqual(try entries(), ["made-by-writer.txt"])
    }

    func testPendingFileCommitAndDiscard() throws {
        let url = tmp.appendingPathComponent("p.dat")
        let discarded = try PendingFile(finalURL: url)
        XCTAssertTrue(FileManager.default.fileExists(atPath: discarded.temporaryURL.path))
        discarded.discard()
        XCTAssertEqual(try entries(), [])

        do {  // Dropping an unfinished pending file removes its temporary file too.
            let abandoned = try PendingFile(finalURL: url)
            try Data([1]).write(to: abandoned.temporaryURL)
        }
        XCTAssertEqual(try entries(), [])

        let pending = try PendingFile(finalURL: url)
        try Data([7, 7]).write(to: pending.temporaryURL)
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing at the final path before commit")
        try pending.commit()
        XCTAssertEqual(try Data(contentsOf: url), Data([7, 7]))
        XCTAssertThrowsError(try pending.commit(), "a second commit is an error")
        XCTAssertEqual(try entries(), ["p.dat"])
    }
}
