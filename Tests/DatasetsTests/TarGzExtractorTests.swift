import Datasets
import FileFormats
import Foundation
import XCTest

final class TarGzExtractorTests: XCTestCase {
    private func archive(_ dir: TemporaryDirectory, _ tar: [UInt8], name: String = "a.tgz") throws -> URL {
        try dir.write(name, Data(Gzip.compress(tar)))
    }

    func testUnpacksFilesFoldersAndLongNames() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        tar.add("jpg", kind: .directory)
        tar.add("jpg/image_00001.jpg", Array(repeating: 7, count: 1300))
        tar.add("./jpg/empty.jpg", [])
        let deep = "deep/" + String(repeating: "d", count: 120) + "/file.bin"
        tar.add(deep, [1, 2, 3])
        let gnu = "gnu/" + String(repeating: "g", count: 140) + ".txt"
        tar.add(gnu, [4, 5], gnuLongName: true)
        let pax = "pax/" + String(repeating: "p", count: 130) + ".txt"
        tar.add(pax, [6], pax: true)
        let out = dir.url.appendingPathComponent("out")
        let report = try TarGzExtractor.extract(try archive(dir, tar.finished()), into: out)
        XCTAssertEqual(report.files, ["jpg/image_00001.jpg", "jpg/empty.jpg", deep, gnu, pax])
        XCTAssertEqual(
            try Data(contentsOf: out.appendingPathComponent("jpg/image_00001.jpg")), Data(repeating: 7, count: 1300))
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("jpg/empty.jpg")).count, 0)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(deep)), Data([1, 2, 3]))
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(gnu)), Data([4, 5]))
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(pax)), Data([6]))
        // No staging folder is left behind.
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["deep", "gnu", "jpg", "pax"])
    }

    /// GNU tar itself, when present, is an independent writer of the formats read here.
    func testReadsArchivesWrittenBySystemTar() throws {
        let tarTool = URL(fileURLWithPath: "/usr/bin/tar")
        guard FileManager.default.isExecutableFile(atPath: tarTool.path) else { throw XCTSkip("no /usr/bin/tar") }
        let dir = try TemporaryDirectory()
        let long = "src/" + String(repeating: "n", count: 150) + ".jpg"
        try dir.write(long, Data(repeating: 9, count: 700))
        try dir.write("src/jpg/a.jpg", Data(repeating: 1, count: 3))
        for format in ["gnu", "pax", "ustar"] {
            let archive = dir.url.appendingPathComponent("\(format).tgz")
            let process = Process()
            process.executableURL = tarTool
            process.arguments = [
                "-czf", archive.path, "--format=\(format)", "-C", dir.url.appendingPathComponent("src").path, ".",
            ]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let out = dir.url.appendingPathComponent("out-\(format)")
            if process.terminationStatus != 0 {
                // ustar cannot hold a 150-character file name; GNU tar says so and fails.
                XCTAssertEqual(format, "ustar")
                continue
            }
            let report = try TarGzExtractor.extract(archive, into: out)
            XCTAssertEqual(Set(report.files), ["jpg/a.jpg", String(long.dropFirst(4))], format)
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(String(long.dropFirst(4)))).count, 700)
        }
    }

    func testRefusesAbsolutePathsAndParentReferences() throws {
        for bad in ["/etc/evil", "../evil", "jpg/../../evil", "a/./../../b"] {
            let dir = try TemporaryDirectory()
            var tar = TarWriter()
            tar.add("ok.txt", [1])
            tar.add(bad, [2])
            let out = dir.url.appendingPathComponent("out")
            XCTAssertThrowsError(try TarGzExtractor.extract(try archive(dir, tar.finished()), into: out)) { error in
                XCTAssertEqual((error as? DatasetError)?.kind, .unsafeArchive, "\(bad): \(error)")
            }
            // Nothing was unpacked, not even the harmless entry before the bad one.
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("evil").path))
        }
    }

    func testRefusesLinks() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        tar.add("link", kind: .symlink)
        XCTAssertThrowsError(
            try TarGzExtractor.extract(try archive(dir, tar.finished()), into: dir.url.appendingPathComponent("out"))
        ) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .unsafeArchive)
        }
    }

    func testTruncatedAndCorruptArchivesThrowAndLeaveNothing() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        tar.add("a.bin", (0..<5000).map { UInt8($0 % 251) })
        tar.add("b.bin", (0..<5000).map { UInt8($0 % 13) })
        let gz = Gzip.compress(tar.finished())
        let out = dir.url.appendingPathComponent("out")
        let cut = try dir.write("cut.tgz", Data(gz.prefix(gz.count / 2)))
        XCTAssertThrowsError(try TarGzExtractor.extract(cut, into: out)) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .truncated, "\(error)")
            XCTAssertTrue("\(error)".contains("cut.tgz"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])

        // A tar cut exactly at an entry's data, then compressed properly.
        let shortTar = try dir.write("short.tgz", Data(Gzip.compress(Array(tar.finished().prefix(512 + 2000)))))
        XCTAssertThrowsError(try TarGzExtractor.extract(shortTar, into: out)) {
            XCTAssertEqual(($0 as? FileFormatError)?.kind, .truncated)
        }

        var corrupt = tar
        corrupt.poke(3, 0x7A)  // a name byte: the header checksum no longer matches
        XCTAssertThrowsError(
            try TarGzExtractor.extract(try archive(dir, corrupt.finished(), name: "bad.tgz"), into: out)
        ) {
            XCTAssertEqual(($0 as? FileFormatError)?.kind, .malformed)
        }
        let notGzip = try dir.write("plain.tgz", Data(tar.finished()))
        XCTAssertThrowsError(try TarGzExtractor.extract(notGzip, into: out)) {
            XCTAssertEqual(($0 as? FileFormatError)?.kind, .malformed)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
    }

    func testRefusesToReplaceDifferentFilesButAcceptsIdenticalOnes() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        tar.add("jpg/a.jpg", [1, 1])
        tar.add("jpg/b.jpg", [2, 2])
        let tgz = try archive(dir, tar.finished())
        let out = dir.url.appendingPathComponent("out")
        try dir.write("out/jpg/a.jpg", Data([1, 1]))
        try dir.write("out/.unpacking-a.tgz-left-by-a-killed-run/jpg/a.jpg", Data([5]))
        let report = try TarGzExtractor.extract(tgz, into: out)
        XCTAssertEqual(report.alreadyPresent, ["jpg/a.jpg"])
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("jpg/b.jpg")), Data([2, 2]))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out.path), ["jpg"], "stale staging is cleared")

        try dir.write("out/jpg/b.jpg", Data([9]))
        try FileManager.default.removeItem(at: out.appendingPathComponent("jpg/a.jpg"))
        XCTAssertThrowsError(try TarGzExtractor.extract(tgz, into: out)) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .refusedOverwrite)
        }
        XCTAssertEqual(
            try Data(contentsOf: out.appendingPathComponent("jpg/b.jpg")), Data([9]), "existing data untouched")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: out.appendingPathComponent("jpg/a.jpg").path),
            "nothing is unpacked when any file conflicts")
    }
}
