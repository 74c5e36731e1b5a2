import Datasets
import FileFormats
import Foundation
import TensorCore
import XCTest

/// The downloader against a local HTTP server serving tiny fixtures made here.
final class OxfordDownloaderTests: XCTestCase {
    /// A miniature of the official set: an image archive and two label files.
    struct Fixture {
        var archive: [UInt8]
        var labels: [UInt8]
        var setid: [UInt8]
        var images: [String: [UInt8]]

        init() {
            var tar = TarWriter()
            tar.add("jpg", kind: .directory)
            images = [:]
            // Random bytes do not compress, so the archive is as long as its contents (~15 kB).
            var rng = SeededGenerator(seed: 99)
            for i in 1...4 {
                let name = String(format: "jpg/image_%05d.jpg", i)
                let bytes = (0..<(3000 + 700 * i)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                images[name] = bytes
                tar.add(name, bytes)
            }
            archive = Gzip.compress(tar.finished())
            labels = Array("MATLAB labels fixture".utf8) + (0..<200).map { UInt8($0) }
            setid = Array("MATLAB setid fixture".utf8) + (0..<300).map { UInt8(255 - $0 % 256) }
        }

        func files(wrongChecksumFor broken: String? = nil) -> [RemoteFile] {
            [("102flowers.tgz", archive), ("imagelabels.mat", labels), ("setid.mat", setid)].map { name, bytes in
                RemoteFile(
                    name: name, md5: name == broken ? String(repeating: "0", count: 32) : MD5.hex(bytes),
                    size: Int64(bytes.count))
            }
        }

        func routes(_ behaviour: (String) -> LocalHTTPServer.Behaviour = { _ in .normal })
            -> [String: (body: [UInt8], behaviour: LocalHTTPServer.Behaviour)]
        {
            [
                "/files/102flowers.tgz": (archive, behaviour("102flowers.tgz")),
                "/files/imagelabels.mat": (labels, behaviour("imagelabels.mat")),
                "/files/setid.mat": (setid, behaviour("setid.mat")),
            ]
        }
    }

    private func downloader(_ server: LocalHTTPServer, _ destination: URL, _ files: [RemoteFile]) -> OxfordDownloader {
        var d = OxfordDownloader(destination: destination, baseURL: server.baseURL, files: files)
        d.timeout = 10
        d.retryDelay = 0
        return d
    }

    private func assertComplete(
        _ destination: URL, _ fixture: Fixture, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (name, bytes) in fixture.images {
            XCTAssertEqual(
                try Data(contentsOf: destination.appendingPathComponent(name)), Data(bytes), name, file: file,
                line: line)
        }
        XCTAssertEqual(
            try Data(contentsOf: destination.appendingPathComponent("imagelabels.mat")), Data(fixture.labels),
            file: file, line: line)
        XCTAssertEqual(
            try Data(contentsOf: destination.appendingPathComponent("setid.mat")), Data(fixture.setid), file: file,
            line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: destination.path).filter {
            $0.hasSuffix(".part") || $0.hasPrefix(".unpacking")
        }
        XCTAssertEqual(leftovers, [], file: file, line: line)
    }

    func testOfficialManifest() {
        XCTAssertEqual(
            OxfordDownloader.defaultBaseURL.absoluteString, "https://www.robots.ox.ac.uk/~vgg/data/flowers/102/")
        XCTAssertEqual(OxfordDownloader.officialFiles.map(\.name), ["102flowers.tgz", "imagelabels.mat", "setid.mat"])
        XCTAssertEqual(OxfordDownloader.officialFiles[0].md5, "52808999861908f626f3c1f4e79d11fa")
        XCTAssertEqual(OxfordDownloader.officialFiles[0].size, 344_862_509)
    }

    func testDownloadsVerifiesAndUnpacksThenDoesNothingTheSecondTime() throws {
        let fixture = Fixture()
        let server = try LocalHTTPServer(routes: fixture.routes())
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        let report = try downloader(server, dir.url, fixture.files()).run()
        XCTAssertEqual(report.steps.map(\.action), [.downloaded, .unpacked, .downloaded, .downloaded])
        try assertComplete(dir.url, fixture)
        XCTAssertEqual(server.requests.count, 3)

        let again = try downloader(server, dir.url, fixture.files()).run()
        XCTAssertEqual(again.steps.map(\.action), [.alreadyUnpacked, .alreadyPresent, .alreadyPresent])
        XCTAssertEqual(server.requests.count, 3, "a complete destination needs no network")
    }

    func testWrongChecksumIsRejectedAndNothingIsKept() throws {
        let fixture = Fixture()
        let server = try LocalHTTPServer(routes: fixture.routes())
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try downloader(server, dir.url, fixture.files(wrongChecksumFor: "imagelabels.mat")).run())
        { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .checksumMismatch, "\(error)")
            XCTAssertTrue("\(error)".contains("imagelabels.mat"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("imagelabels.mat").path))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("imagelabels.mat.part").path))
    }

    func testTruncatedArchiveFailsToUnpackAndLeavesNoImages() throws {
        var fixture = Fixture()
        fixture.archive = Array(fixture.archive.prefix(fixture.archive.count * 2 / 3))
        let server = try LocalHTTPServer(routes: fixture.routes())
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        // The checksum is that of the truncated bytes, so only unpacking can notice.
        XCTAssertThrowsError(try downloader(server, dir.url, fixture.files()).run()) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .truncated, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("jpg").path))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(".102flowers.tgz.unpacked").path))
    }

    func testInterruptedTransferIsResumedWithARangeRequest() throws {
        let fixture = Fixture()
        XCTAssertGreaterThan(fixture.archive.count, 10_000)
        let cutAt = 5000
        let server = try LocalHTTPServer(
            routes: fixture.routes { $0 == "102flowers.tgz" ? .cut(after: cutAt, times: 1) : .normal })
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        let report = try downloader(server, dir.url, fixture.files()).run()
        XCTAssertEqual(report.steps.first?.action, .resumed)
        try assertComplete(dir.url, fixture)
        let archiveRequests = server.requests.filter { $0.path == "/files/102flowers.tgz" }
        XCTAssertEqual(archiveRequests.map(\.range), [nil, "bytes=\(cutAt)-"])
    }

    func testPartialFileFromAnEarlierRunIsResumed() throws {
        let fixture = Fixture()
        let cutAt = 777
        let server = try LocalHTTPServer(
            routes: fixture.routes { $0 == "102flowers.tgz" ? .cut(after: cutAt, times: 1) : .normal })
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        var once = downloader(server, dir.url, fixture.files())
        once.attempts = 1
        XCTAssertThrowsError(try once.run()) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .download, "\(error)")
            XCTAssertTrue("\(error)".contains("resume"))
        }
        let part = dir.url.appendingPathComponent("102flowers.tgz.part")
        XCTAssertEqual(try Data(contentsOf: part).count, cutAt)

        let report = try once.run()
        XCTAssertEqual(report.steps.first?.action, .resumed)
        try assertComplete(dir.url, fixture)
        XCTAssertEqual(
            server.requests.filter { $0.path == "/files/102flowers.tgz" }.map(\.range), [nil, "bytes=\(cutAt)-"])
    }

    /// The timeout is for a stalled connection, not for the whole transfer: a large download on
    /// a slow line must not be cut off while data keeps arriving.
    func testSlowButSteadyTransferIsNotTimedOut() throws {
        let fixture = Fixture()
        let server = try LocalHTTPServer(
            routes: fixture.routes { $0 == "setid.mat" ? .trickle(pieces: 6, pause: 0.3) : .normal })
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        var d = downloader(server, dir.url, fixture.files())
        d.timeout = 1
        d.attempts = 1
        _ = try d.run()
        try assertComplete(dir.url, fixture)
    }

    func testServerWithoutRangeSupportRestartsTheFile() throws {
        let fixture = Fixture()
        let server = try LocalHTTPServer(routes: fixture.routes { _ in .ignoreRange })
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        // A stale part file with wrong bytes: a full 200 response must replace, not extend, it.
        try dir.write("setid.mat.part", Data(repeating: 0xEE, count: 50))
        _ = try downloader(server, dir.url, fixture.files()).run()
        try assertComplete(dir.url, fixture)
    }

    func testRefusesToOverwriteDifferentExistingData() throws {
        let fixture = Fixture()
        let server = try LocalHTTPServer(routes: fixture.routes())
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        try dir.write("imagelabels.mat", Data("my own labels".utf8))
        XCTAssertThrowsError(try downloader(server, dir.url, fixture.files()).run()) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .refusedOverwrite, "\(error)")
        }
        XCTAssertEqual(
            try String(contentsOf: dir.url.appendingPathComponent("imagelabels.mat"), encoding: .utf8), "my own labels")

        let other = try TemporaryDirectory()
        try other.write("jpg/image_00002.jpg", Data([1, 2, 3]))
        XCTAssertThrowsError(try downloader(server, other.url, fixture.files()).run()) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .refusedOverwrite, "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: other.url.appendingPathComponent("jpg/image_00002.jpg")), Data([1, 2, 3]))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: other.url.appendingPathComponent("jpg/image_00001.jpg").path))
    }

    func testMissingFileAndBadManifestGiveClearErrors() throws {
        let fixture = Fixture()
        var routes = fixture.routes()
        routes["/files/setid.mat"] = nil
        let server = try LocalHTTPServer(routes: routes)
        defer { server.stop() }
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try downloader(server, dir.url, fixture.files()).run()) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .download)
            XCTAssertTrue("\(error)".contains("404"), "\(error)")
            XCTAssertTrue("\(error)".contains("setid.mat"), "\(error)")
        }
        var bad = fixture.files()
        bad[1].md5 = "xyz"
        XCTAssertThrowsError(try downloader(server, dir.url, bad).run()) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .invalidArgument)
        }
    }
}
