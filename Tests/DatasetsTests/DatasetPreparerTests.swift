import Datasets
import FileFormats
import Foundation
import SharedTestData
import TensorCore
import XCTest

final class DatasetPreparerTests: XCTestCase {
    private let red: (UInt8, UInt8, UInt8) = (200, 10, 10)
    private let blue: (UInt8, UInt8, UInt8) = (20, 40, 230)

    /// Class "blue" and "red" with good images of various formats, plus bad files in "red".
    private func mixedFolder(_ dir: TemporaryDirectory) throws -> URL {
        let root = dir.url.appendingPathComponent("photos")
        func put(_ name: String, _ data: Data) throws {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        try put("blue/wide.png", PNGImage.encode(TestImages.constant(width: 50, height: 40, blue)))
        try put(
            "blue/tall.jpg",
            JPEGImage.encode(TestImages.constant(width: 40, height: 64, blue), quality: 100, subsampling: .s444))
        try put(
            "blue/alpha.png",
            PNGImage.encodeRGBA(width: 36, height: 36, pixels: [UInt8](repeating: 255, count: 36 * 36 * 4)))
        try put("red/a.png", PNGImage.encode(TestImages.constant(width: 64, height: 48, red)))
        try put(
            "red/gray.jpg",
            JPEGImage.encode(TestImages.constant(width: 40, height: 40, (90, 90, 90)), subsampling: .gray))
        try put(
            "red/cmyk.jpg",
            JPEGImage.encodeCMYK(width: 40, height: 40, cmyk: [UInt8](repeating: 255, count: 40 * 40 * 4)))
        try put("red/small.png", PNGImage.encode(TestImages.constant(width: 10, height: 12, red)))
        // Bad input.
        let good = try JPEGImage.encode(TestImages.gradient(width: 64, height: 64), quality: 90)
        try put("red/empty.jpg", Data())
        try put("red/truncated.jpg", good.prefix(good.count / 2))
        try put("red/notes.jpg", Data("these are not pixels".utf8))
        try put("red/animation.png", Data("GIF89a".utf8) + Data(repeating: 0, count: 40))
        try put(
            "red/corrupt.png",
            PNGImage.encode(TestImages.gradient(width: 30, height: 30)).prefix(8) + Data(repeating: 7, count: 200))
        return root
    }

    private func folderCatalog(_ root: URL) throws -> DatasetCatalog {
        try DatasetSource.folder(root: root, split: RandomSplit(validation: 0, test: 0)).catalog()
    }

    func testBadFilesAreSkippedAndListedAndGoodOnesConverted() throws {
        let dir = try TemporaryDirectory()
        let root = try mixedFolder(dir)
        let before = try FolderSnapshot(root)
        var preparer = DatasetPreparer(options: PrepareOptions(size: 32, margin: 0, chunkSize: 3))
        let log = LogLines()
        preparer.log = { log.append($0) }
        let result = try preparer.prepare(try folderCatalog(root), into: dir.url.appendingPathComponent("cache"))
        XCTAssertEqual(try FolderSnapshot(root), before, "the source folder was written to")

        let manifest = result.manifest
        XCTAssertEqual(manifest.counts.total, 7)
        XCTAssertEqual(manifest.counts.candidates, 12)
        XCTAssertEqual(manifest.counts.skipped, 5)
        let skipped = Dictionary(uniqueKeysWithValues: manifest.skipped.map { ($0.file, $0.reason) })
        XCTAssertEqual(
            Set(skipped.keys),
            ["red/empty.jpg", "red/truncated.jpg", "red/notes.jpg", "red/animation.png", "red/corrupt.png"])
        XCTAssertTrue(skipped["red/empty.jpg"]!.contains("empty file"), skipped["red/empty.jpg"]!)
        XCTAssertTrue(skipped["red/animation.png"]!.contains("GIF"), skipped["red/animation.png"]!)
        XCTAssertTrue(
            skipped["red/truncated.jpg"]!.hasPrefix("truncated")
                || skipped["red/truncated.jpg"]!.hasPrefix("malformed"),
            skipped["red/truncated.jpg"]!)
        XCTAssertEqual(manifest.upscaled.map(\.file), ["red/small.png"])
        XCTAssertEqual(manifest.upscaled.first?.scale ?? 0, 3.2, accuracy: 1e-9)
        XCTAssertTrue(log.lines.contains { $0.hasPrefix("warning: skipped red/empty.jpg") }, "\(log.lines)")
        XCTAssertTrue(log.lines.contains { $0.hasPrefix("warning: enlarged red/small.png from 10×12") }, "\(log.lines)")
        XCTAssertEqual(manifest.counts.perClass.map(\.train), [3, 4])

        let cache = try DatasetCache.open(result.folder)
        XCTAssertEqual(cache.count, 7)
        XCTAssertEqual(
            cache.files,
            [
                "blue/alpha.png", "blue/tall.jpg", "blue/wide.png", "red/a.png", "red/cmyk.jpg", "red/gray.jpg",
                "red/small.png",
            ])
        XCTAssertEqual(cache.labels, [0, 0, 0, 1, 1, 1, 1])
        XCTAssertEqual(cache.classNames, ["blue", "red"])
        XCTAssertEqual(cache.storedSize, 32)
        // Constant images stay constant through decoding, Lanczos resizing and cropping.
        XCTAssertEqual(try cache.image(row: 2), TestImages.constant(width: 32, height: 32, blue))
        XCTAssertEqual(try cache.image(row: 3), TestImages.constant(width: 32, height: 32, red))
        XCTAssertEqual(try cache.image(row: 6), TestImages.constant(width: 32, height: 32, red))
        XCTAssertEqual(try cache.image(row: 0), TestImages.constant(width: 32, height: 32, (255, 255, 255)))
        let gray = try cache.image(row: 5)
        XCTAssertTrue(gray.pixels.allSatisfy { abs(Int($0) - 90) <= 1 }, "grayscale JPEG should become gray RGB")
        XCTAssertTrue(try cache.image(row: 4).pixels.allSatisfy { $0 >= 250 }, "CMYK without ink should become white")
        XCTAssertTrue(
            try cache.image(row: 1).pixels.enumerated().allSatisfy {
                abs(Int($1) - Int([blue.0, blue.1, blue.2][$0 % 3])) <= 2
            })
    }

    func testCacheLayoutAndManifest() throws {
        let dir = try TemporaryDirectory()
        let source = try FakeOxford.small.write(in: dir.url.appendingPathComponent("oxford"))
        let catalog = try OxfordFlowers102.catalog(root: source)
        let result = try DatasetPreparer(options: PrepareOptions(size: 32, margin: 16, threads: 2))
            .prepare(catalog, into: dir.url.appendingPathComponent("out/dataset"), catalogSeconds: 0.25)
        XCTAssertEqual(result.folder.path, dir.url.appendingPathComponent("out/dataset").standardizedFileURL.path)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: result.folder.path).sorted(),
            ["images.h5", "manifest.json", "source-listing.json"])
        // The listing of what the cache was made from: the photos and the label files, no bytes read.
        let listing = try XCTUnwrap(try SourceListing.read(from: result.folder))
        XCTAssertEqual(
            listing.entries.map(\.name),
            ((1...6).map { "jpg/image_0000\($0).jpg" } + ["cat_to_name.json", "imagelabels.mat", "setid.mat"]).sorted())
        XCTAssertEqual(
            listing.entries.first { $0.name == "setid.mat" }?.bytes,
            (try FileManager.default.attributesOfItem(atPath: source.appendingPathComponent("setid.mat").path)[.size]
                as? NSNumber)?.int64Value)

        let file = try HDF5File.open(at: result.cacheFile)
        let images = try file.dataset("images")
        XCTAssertEqual(images.shape, [6, 48, 48, 3])
        XCTAssertEqual(images.elementType, .uint8)
        XCTAssertEqual(try file.dataset("labels").read(Int64.self), [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(try file.dataset("split").read(UInt8.self), [0, 0, 0, 1, 1, 2])
        XCTAssertEqual(try file.readStrings("files"), (1...6).map { "jpg/image_0000\($0).jpg" })
        XCTAssertEqual(try file.readStrings("class_names").count, 102)
        XCTAssertEqual(try file.attribute("size"), "32")
        XCTAssertEqual(try file.attribute("margin"), "16")
        XCTAssertEqual(try file.attribute("stored_size"), "48")
        XCTAssertEqual(try file.attribute("source"), "oxford")
        XCTAssertEqual(try file.attribute("train_count"), "3")
        XCTAssertEqual(try file.attribute("test_count"), "1")
        file.close()

        let manifest = try DatasetManifest.read(from: result.folder)
        XCTAssertEqual(manifest, result.manifest)
        XCTAssertEqual(manifest.source.kind, .oxford)
        XCTAssertEqual(manifest.source.path, source.path)
        XCTAssertEqual(manifest.processing.storedSize, 48)
        XCTAssertEqual([manifest.counts.train, manifest.counts.validation, manifest.counts.test], [3, 2, 1])
        XCTAssertEqual(manifest.counts.perClass.prefix(3).map(\.total), [2, 2, 2])
        XCTAssertEqual(manifest.labelFiles.map(\.name), ["imagelabels.mat", "setid.mat", "cat_to_name.json"])
        let labelsHash = try SHA256.hashFile(at: source.appendingPathComponent("imagelabels.mat")).hex
        XCTAssertEqual(manifest.labelFiles[0].sha256, labelsHash)
        XCTAssertEqual(manifest.imageFiles?.files, 6)
        XCTAssertEqual(manifest.sourceListing, SourceListing.fileName)
        XCTAssertEqual(manifest.timings.catalogSeconds, 0.25)
        XCTAssertEqual(
            manifest.cacheBytes, try FileManager.default.attributesOfItem(atPath: result.cacheFile.path)[.size] as? Int)
        XCTAssertEqual(manifest.cacheSHA256, try SHA256.hashFile(at: result.cacheFile).hex)
        XCTAssertEqual([manifest.stage, manifest.status], ["prepare", "complete"])
        XCTAssertNil(manifest.pipelineVersion, "the library alone does not claim a pipeline version")
        // The image fingerprint follows the files' contents.
        var expected = SHA256()
        for n in 1...6 {
            let data = try Data(contentsOf: source.appendingPathComponent("jpg/image_0000\(n).jpg"))
            expected.update(Array("jpg/image_0000\(n).jpg\t\(data.count)\t\(SHA256.hash(data).hex)\n".utf8))
        }
        XCTAssertEqual(manifest.imageFiles?.contentSHA256, expected.finalize().hex)

        // Preparing again gives the same fingerprints; changing one photo changes them.
        let again = try DatasetPreparer(options: PrepareOptions(size: 32)).prepare(
            catalog, into: dir.url.appendingPathComponent("again"))
        XCTAssertEqual(again.manifest.imageFiles?.contentSHA256, manifest.imageFiles?.contentSHA256)
        XCTAssertEqual(again.manifest.imageFiles?.listingSHA256, manifest.imageFiles?.listingSHA256)
        try JPEGImage.encode(FakeOxford.photo(9), quality: 95).write(
            to: source.appendingPathComponent("jpg/image_00002.jpg"))
        let changed = try DatasetPreparer(options: PrepareOptions(size: 32)).prepare(
            catalog, into: dir.url.appendingPathComponent("again"))
        XCTAssertNotEqual(changed.manifest.imageFiles?.contentSHA256, manifest.imageFiles?.contentSHA256)
    }

    func testStoredPixelsRoundTripThroughTheSequentialReader() throws {
        let dir = try TemporaryDirectory()
        let (cache, ids) = try CacheFixtures.coordinateCache(in: dir, count: 9, size: 32, margin: 8, validation: 0)
        XCTAssertEqual(cache.count, 9)
        for row in 0..<9 {
            XCTAssertEqual(try cache.image(row: row), CacheFixtures.coordinates(side: 40, id: ids[row]), "row \(row)")
        }
        let reader = try SequentialReader(cache: cache, batchSize: 4)
        XCTAssertEqual(reader.batchCount, 3)
        var rows: [Int] = []
        try reader.forEach { batch in
            rows += batch.rows
            XCTAssertEqual(batch.images.shape, [batch.count, 3, 32, 32])
            let values = batch.images.values
            for k in 0..<batch.count {
                // Centre crop: the top-left output pixel is stored pixel (4, 4).
                let base = k * 3 * 32 * 32
                XCTAssertEqual(values[base], 4 * 2 / 255 - 1, accuracy: 1e-6)  // R = x = 4
                XCTAssertEqual(values[base + 32 * 32 + 32 * 5], 9 * 2 / 255 - 1, accuracy: 1e-6)  // G at row 5 = 9
                XCTAssertEqual(values[base + 2 * 32 * 32], Float(ids[batch.rows[k]]) * 2 / 255 - 1, accuracy: 1e-6)
            }
            XCTAssertEqual(batch.labels, batch.rows.map { ids[$0] % 3 })
        }
        XCTAssertEqual(rows, Array(0..<9))
        let bytes = try ImageTensorConversion.hwcBytes(
            fromNCHW: try reader.batch(0).images.values, count: 4, height: 32, width: 32)
        let expected = try Cropper.centerCrop(CacheFixtures.coordinates(side: 40, id: ids[0]), width: 32, height: 32)
        XCTAssertEqual(Array(bytes.prefix(32 * 32 * 3)), expected.pixels)
    }

    func testUncompressedCachesHoldTheSamePixels() throws {
        let dir = try TemporaryDirectory()
        let root = try mixedFolder(dir)
        let catalog = try folderCatalog(root)
        let packed = try DatasetPreparer(options: PrepareOptions(size: 32, gzipLevel: 1)).prepare(
            catalog, into: dir.url.appendingPathComponent("packed"))
        let plain = try DatasetPreparer(options: PrepareOptions(size: 32, gzipLevel: 0)).prepare(
            catalog, into: dir.url.appendingPathComponent("plain"))
        XCTAssertEqual(plain.manifest.processing.gzipLevel, 0)
        let a = try DatasetCache.open(packed.folder), b = try DatasetCache.open(plain.folder)
        XCTAssertEqual(try a.pixels(rows: 0..<a.count), try b.pixels(rows: 0..<b.count))
        XCTAssertEqual(a.files, b.files)
        XCTAssertThrowsError(
            try DatasetPreparer(options: PrepareOptions(size: 32, gzipLevel: 10)).prepare(
                catalog, into: dir.url.appendingPathComponent("x")))
    }

    func testSyntheticSourceIsRenderedAtTheStoredSize() throws {
        let dir = try TemporaryDirectory()
        let catalog = try DatasetSource.synthetic(
            count: 20, classes: 2, seed: 3, split: RandomSplit(validation: 0.2, test: 0.2, seed: 3)
        ).catalog()
        let result = try DatasetPreparer(options: PrepareOptions(size: 32, margin: 4)).prepare(
            catalog, into: dir.url.appendingPathComponent("syn"))
        let cache = try DatasetCache.open(result.cacheFile)
        XCTAssertEqual(try cache.image(row: 7), try SyntheticFlowers(classCount: 2, seed: 3).image(index: 7, size: 36))
        XCTAssertNil(result.manifest.imageFiles)
        XCTAssertEqual(result.manifest.source.parameters["count"], "20")
        XCTAssertEqual(cache.source, "synthetic")
        XCTAssertEqual(
            [result.manifest.counts.train, result.manifest.counts.validation, result.manifest.counts.test], [12, 4, 4])
    }

    func testAnInterruptedPrepareLeavesNothingAtTheOutput() throws {
        let dir = try TemporaryDirectory()
        let catalog = try DatasetSource.synthetic(count: 12, classes: 2, seed: 1, split: RandomSplit()).catalog()
        let output = dir.url.appendingPathComponent("dataset")
        var preparer = DatasetPreparer(options: PrepareOptions(size: 32, chunkSize: 3))
        let polls = LogLines()
        preparer.shouldStop = {
            polls.append("poll")
            return polls.lines.count >= 2
        }
        XCTAssertThrowsError(try preparer.prepare(catalog, into: output)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .interrupted, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path), [], "staging files were left behind")

        // An interrupted re-preparation keeps the previous cache whole.
        let first = try DatasetPreparer(options: PrepareOptions(size: 32)).prepare(catalog, into: output)
        let snapshot = try FolderSnapshot(output)
        XCTAssertThrowsError(try preparer.prepare(catalog, into: output))
        XCTAssertEqual(try FolderSnapshot(output), snapshot)
        XCTAssertEqual(try DatasetManifest.read(from: output), first.manifest)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["dataset"])
    }

    func testStagingLeftByADeadProcessIsRemoved() throws {
        let dir = try TemporaryDirectory()
        // Process ids never exceed 2^22 on Linux, so this one cannot be running.
        let abandoned = dir.url.appendingPathComponent(".dataset.staging-99999999-abc")
        try FileManager.default.createDirectory(at: abandoned, withIntermediateDirectories: true)
        let catalog = try DatasetSource.synthetic(
            count: 2, classes: 2, seed: 1, split: RandomSplit(validation: 0, test: 0)
        ).catalog()
        _ = try DatasetPreparer(options: PrepareOptions(size: 32)).prepare(
            catalog, into: dir.url.appendingPathComponent("dataset"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["dataset"])
    }

    func testUnsafeOutputsAndEmptyDatasetsAreRefusedBeforeAnyWork() throws {
        let dir = try TemporaryDirectory()
        let root = dir.url.appendingPathComponent("photos")
        _ = try CacheFixtures.coordinateFolder(in: root, count: 3, side: 8)
        let catalog = try folderCatalog(root)
        let preparer = DatasetPreparer(options: PrepareOptions(size: 32))
        let before = try FolderSnapshot(root)
        XCTAssertThrowsError(try preparer.prepare(catalog, into: root.appendingPathComponent("cache"))) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .invalidArgument)
            XCTAssertTrue("\(error)".contains("inside the source folder"), "\(error)")
        }
        XCTAssertThrowsError(try preparer.prepare(catalog, into: root))
        XCTAssertThrowsError(try preparer.prepare(catalog, into: dir.url)) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .refusedOverwrite, "\(error)")
        }
        XCTAssertEqual(try FolderSnapshot(root), before)

        let unrelated = dir.url.appendingPathComponent("thesis")
        try FileManager.default.createDirectory(at: unrelated, withIntermediateDirectories: true)
        try Data("important".utf8).write(to: unrelated.appendingPathComponent("chapter1.tex"))
        XCTAssertThrowsError(try preparer.prepare(catalog, into: unrelated)) { error in
            XCTAssertTrue("\(error)".contains("chapter1.tex"), "\(error)")
        }
        XCTAssertThrowsError(
            try DatasetPreparer(options: PrepareOptions(size: 48)).prepare(
                catalog, into: dir.url.appendingPathComponent("x"))
        ) { error in
            XCTAssertTrue("\(error)".contains("32, 64, 128, 256"), "\(error)")
        }
        XCTAssertThrowsError(
            try DatasetPreparer(options: PrepareOptions(size: 32, margin: -1)).prepare(
                catalog, into: dir.url.appendingPathComponent("x")))

        // Every file bad: a clear error, and no cache.
        let bad = dir.url.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data().write(to: bad.appendingPathComponent("a.jpg"))
        try Data("x".utf8).write(to: bad.appendingPathComponent("b.png"))
        XCTAssertThrowsError(
            try preparer.prepare(try folderCatalog(bad), into: dir.url.appendingPathComponent("badcache"))
        ) { error in
            XCTAssertEqual((error as? DatasetError)?.kind, .emptyDataset)
            XCTAssertTrue("\(error)".contains("all 2 images were skipped"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("badcache").path))
    }

    func testSharedOxfordSubsetPreparesWithRealPhotos() throws {
        let root = try SharedTestData.url("data/oxford102/setid.mat").deletingLastPathComponent()
        var catalog = try OxfordFlowers102.catalog(root: root)
        catalog.items = Array(catalog.items.prefix(24))
        let dir = try TemporaryDirectory()
        let result = try DatasetPreparer(options: PrepareOptions(size: 64, margin: 8)).prepare(
            catalog, into: dir.url.appendingPathComponent("dataset"))
        XCTAssertEqual(result.manifest.counts.total, 24)
        XCTAssertTrue(result.manifest.skipped.isEmpty)
        XCTAssertTrue(result.manifest.upscaled.isEmpty, "the shared photos are 160 px on the shorter side")
        let cache = try DatasetCache.open(result.folder)
        XCTAssertEqual(cache.files.first, "jpg/image_00001.jpg")
        let photo = try ImageFile.read(from: root.appendingPathComponent("jpg/image_00001.jpg"))
        let expected = try Cropper.resizeAndCenterCrop(photo, size: 64, margin: 8).image
        XCTAssertEqual(try cache.image(row: 0), expected)
    }
}

/// Lines collected from callbacks, from any thread.
final class LogLines: @unchecked Sendable {
    private var storage: [String] = []
    private let lock = NSLock()
    func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
