import Datasets
import FileFormats
import Foundation
import Pipeline
import XCTest

final class PrepareStageTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func capture() -> (write: (String) -> Void, text: () -> String) {
        let lines = WrittenText()
        return ({ lines.append($0) }, { lines.text })
    }

    func testSyntheticSourceIsPreparedAndCountsArePrinted() throws {
        var options = PrepareStage.Options()
        options.count = 30
        options.classes = 3
        options.size = 32
        options.margin = 4
        options.output = folder.appendingPathComponent("dataset").path
        let out = capture()
        let result = try PrepareStage.run(options, style: .log(everySeconds: 0, everyPercent: 50), write: out.write)
        let text = out.text()
        XCTAssertTrue(text.contains("source: synthetic: 30 images in 3 classes"), text)
        XCTAssertTrue(text.contains("prepared 30 of 30 images at 32 px + 4 margin (stored 36×36)"), text)
        XCTAssertTrue(text.contains("subsets: train 24 · validation 3 · test 3"), text)
        XCTAssertTrue(text.contains("0 daisy-like"), text)
        XCTAssertTrue(text.contains("(train 8, validation 1, test 1)"), text)
        XCTAssertTrue(text.contains("skipped: none"), text)
        XCTAssertTrue(text.contains("prepare done: 30/30 img"), text)
        XCTAssertTrue(text.contains("cache: \(folder.appendingPathComponent("dataset/images.h5").path)"), text)
        XCTAssertEqual(result.manifest.counts.total, 30)
        // The fields every stage manifest has, read back from the file.
        let manifest = try DatasetManifest.read(from: result.folder)
        XCTAssertEqual(manifest.stage, "prepare")
        XCTAssertEqual(manifest.status, "complete")
        XCTAssertEqual(manifest.pipelineVersion, PipelineVersion.current)
        XCTAssertEqual(
            manifest.cacheSHA256, try SHA256.hashFile(at: result.folder.appendingPathComponent("images.h5")).hex)
        let cache = try DatasetCache.open(result.folder)
        XCTAssertEqual(cache.count, 30)
        XCTAssertEqual(cache.size, 32)
        XCTAssertEqual(cache.margin, 4)
    }

    func testSkippedFilesAreListedWithTheirReasons() throws {
        let source = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("rose"), withIntermediateDirectories: true)
        for i in 0..<4 {
            try PNGImage.encode(RGBImage(width: 40, height: 40, fill: (UInt8(i * 50), 10, 10)))
                .write(to: source.appendingPathComponent("rose/\(i).png"))
        }
        try Data().write(to: source.appendingPathComponent("rose/empty.jpg"))
        var options = PrepareStage.Options()
        options.source = .folder
        options.data = source.path
        options.size = 32
        options.validationFraction = 0.25
        options.testFraction = 0
        options.output = folder.appendingPathComponent("cache").path
        let out = capture()
        let result = try PrepareStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: out.write)
        let text = out.text()
        XCTAssertTrue(text.contains("warning: skipped rose/empty.jpg: truncated: empty file"), text)
        XCTAssertTrue(text.contains("skipped 1 files:\n    rose/empty.jpg: truncated: empty file, not an image"), text)
        XCTAssertTrue(text.contains("prepared 4 of 5 images"), text)
        XCTAssertEqual(result.manifest.skipped.map(\.file), ["rose/empty.jpg"])
    }

    func testDefaultOutputIsTheRunsDatasetFolder() throws {
        var options = PrepareStage.Options()
        options.run = "exp1"
        XCTAssertEqual(
            PrepareStage.outputFolder(options, base: folder).path,
            folder.appendingPathComponent("artifacts/exp1/dataset").path)
        options.output = "elsewhere/cache"
        XCTAssertEqual(
            PrepareStage.outputFolder(options, base: folder).path, folder.appendingPathComponent("elsewhere/cache").path
        )
        options.output = nil
        options.run = "../up"
        XCTAssertThrowsError(try PrepareStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--run must be a plain folder name"), "\(error)")
        }
    }

    func testFolderSourcesNeedAFolder() throws {
        for source in [PrepareStage.SourceKind.oxford, .folder] {
            var options = PrepareStage.Options()
            options.source = source
            XCTAssertThrowsError(try PrepareStage.source(options)) { error in
                XCTAssertTrue("\(error)".contains("--source \(source.rawValue) needs --data DIR"), "\(error)")
            }
        }
        var options = PrepareStage.Options()
        options.source = .oxford
        options.data = folder.appendingPathComponent("missing").path
        options.output = folder.appendingPathComponent("out").path
        XCTAssertThrowsError(try PrepareStage.run(options, write: { _ in })) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .notFound, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
    }

    func testAStopRequestLeavesNoCache() throws {
        var options = PrepareStage.Options()
        options.count = 200
        options.size = 32
        options.output = folder.appendingPathComponent("dataset").path
        XCTAssertThrowsError(
            try PrepareStage.run(
                options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in },
                shouldStop: { true })
        ) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .interrupted, "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    func testClassCountsAreCompactForManyClasses() {
        let many = (0..<102).map {
            DatasetManifest.ClassCount(id: $0, name: "flower \($0)", train: 10, validation: 10, test: $0)
        }
        let lines = PrepareSummary.classLines(many)
        XCTAssertEqual(lines.count, 12)
        XCTAssertEqual(
            lines[0], "  per class (102 classes, ids from 0): min 20 (0 flower 0), median 71, max 121 (101 flower 101)")
        XCTAssertEqual(lines[1], "    0–9       20  21  22  23  24  25  26  27  28  29")
        XCTAssertEqual(lines[11], "    100–101  120 121")
        let few = PrepareSummary.classLines(Array(many.prefix(2)))
        XCTAssertEqual(
            few,
            [
                "  per class:", "    0 flower 0  20  (train 10, validation 10, test 0)",
                "    1 flower 1  21  (train 10, validation 10, test 1)",
            ])
    }

    func testFetchDataKeepsVerifiedFilesAndRefusesDifferentOnes() throws {
        let dest = folder.appendingPathComponent("oxford")
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        let content = Array("MATLAB labels stand-in".utf8)
        try Data(content).write(to: dest.appendingPathComponent("imagelabels.mat"))
        let files = [RemoteFile(name: "imagelabels.mat", md5: MD5.hex(content), size: Int64(content.count))]
        // Nothing listens on port 9 here: the run must not need the network for a verified file.
        let base = URL(string: "http://127.0.0.1:9/")!
        let out = capture()
        let report = try FetchDataStage.run(destination: dest, baseURL: base, files: files, write: out.write)
        XCTAssertEqual(report.steps.map(\.action), [.alreadyPresent])
        XCTAssertTrue(out.text().contains("imagelabels.mat: already present (checksum verified)"), out.text())
        XCTAssertTrue(out.text().contains("pipeline prepare --source oxford --data \(dest.path)"), out.text())

        try Data("something else".utf8).write(to: dest.appendingPathComponent("imagelabels.mat"))
        XCTAssertThrowsError(try FetchDataStage.run(destination: dest, baseURL: base, files: files, write: { _ in })) {
            error in
            XCTAssertEqual((error as? DatasetError)?.kind, .refusedOverwrite, "\(error)")
        }
    }
}
