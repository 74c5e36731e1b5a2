import Datasets
import FileFormats
import Foundation
import TensorCore
import XCTest

final class TrainingLoaderTests: XCTestCase {
    private static let size = 32, margin = 8

    /// Decodes, from the coordinate pattern, where each image of a batch was cropped and whether
    /// it was flipped: R = stored x, G = stored y, B = image id.
    private func placement(_ batch: ImageBatch, _ k: Int) -> (x: Int, y: Int, flipped: Bool, id: Int) {
        let s = Self.size
        let values = batch.images.values
        func byte(_ channel: Int, _ row: Int, _ column: Int) -> Int {
            Int(((values[((k * 3 + channel) * s + row) * s + column] + 1) * 127.5).rounded())
        }
        let left = byte(0, 0, 0), right = byte(0, 0, s - 1)
        let flipped = left > right
        return (flipped ? right : left, byte(1, 0, 0), flipped, byte(2, 0, 0))
    }

    private func same(_ a: ImageBatch, _ b: ImageBatch, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.rows, b.rows, file: file, line: line)
        XCTAssertEqual(a.labels, b.labels, file: file, line: line)
        XCTAssertEqual(a.position, b.position, file: file, line: line)
        XCTAssertEqual(a.images.values, b.images.values, "pixels of \(a.position)", file: file, line: line)
    }

    func testBatchesAreAugmentedCropsOfTheRightRows() throws {
        let dir = try TemporaryDirectory()
        let (cache, ids) = try CacheFixtures.coordinateCache(in: dir, count: 30, validation: 0.2)
        let loader = try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 4, seed: 11))
        defer { loader.close() }
        let train = cache.rows(in: [.train])
        XCTAssertEqual(loader.rowCount, 24)
        XCTAssertEqual(loader.batchesPerEpoch, 6)
        XCTAssertTrue(loader.isInMemory)
        var seen: [Int] = []
        var flips = 0, offsets = Set<Int>()
        for _ in 0..<loader.batchesPerEpoch {
            let batch = try loader.next()
            XCTAssertEqual(batch.images.shape, [4, 3, 32, 32])
            XCTAssertTrue(batch.images.values.allSatisfy { $0 >= -1 && $0 <= 1 })
            for k in 0..<4 {
                let p = placement(batch, k)
                XCTAssertEqual(p.id, ids[batch.rows[k]], "the image comes from its row")
                XCTAssertTrue(
                    (0...Self.margin).contains(p.x) && (0...Self.margin).contains(p.y), "crop at \(p.x), \(p.y)")
                XCTAssertEqual(batch.labels[k], ids[batch.rows[k]] % 3)
                flips += p.flipped ? 1 : 0
                offsets.insert(p.x * 100 + p.y)
            }
            seen += batch.rows
        }
        XCTAssertEqual(seen.sorted(), train, "an epoch visits every training row once")
        XCTAssertNotEqual(seen, train, "and shuffles them")
        XCTAssertGreaterThan(flips, 2)
        XCTAssertLessThan(flips, 22)
        XCTAssertGreaterThan(offsets.count, 10)
        XCTAssertEqual(loader.position, LoaderPosition(epoch: 1, batch: 0))
        let nextEpoch = try loader.next()
        XCTAssertEqual(nextEpoch.position, LoaderPosition(epoch: 1, batch: 0))
    }

    func testTheSameSeedGivesTheSameBatchesWhateverTheTiming() throws {
        let dir = try TemporaryDirectory()
        let (cache, _) = try CacheFixtures.coordinateCache(in: dir, count: 21, validation: 0)
        let options = LoaderOptions(batchSize: 5, seed: 3, prefetch: 2)
        let a = try TrainingLoader(cache: cache, options: options)
        var slow = options
        slow.prefetch = 1
        slow.workers = 2
        slow.memoryLimit = 0  // read every batch from the file instead
        let b = try TrainingLoader(cache: cache, options: slow)
        XCTAssertFalse(b.isInMemory)
        for step in 0..<10 {
            if step % 3 == 0 { Thread.sleep(forTimeInterval: 0.01) }  // let a's queue fill, not b's
            let x = try a.next(), y = try b.next()
            same(x, y)
            same(x, try a.batch(at: x.position))
        }
        let other = try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 5, seed: 4))
        XCTAssertNotEqual(try other.next().images.values, try a.batch(at: LoaderPosition()).images.values)
    }

    func testAResumedLoaderContinuesWithTheSameBatches() throws {
        let dir = try TemporaryDirectory()
        let (cache, _) = try CacheFixtures.coordinateCache(in: dir, count: 18, validation: 0)
        let options = LoaderOptions(
            batchSize: 4, seed: 9, augmentation: BatchAugmentation(crop: .random, horizontalFlip: true))
        let original = try TrainingLoader(cache: cache, options: options)
        XCTAssertEqual(original.batchesPerEpoch, 4)
        var saved = LoaderPosition()
        var later: [ImageBatch] = []
        for step in 0..<11 {
            let batch = try original.next()
            if step == 5 { saved = batch.next }  // a checkpoint after training on step 5
            if step > 5 { later.append(batch) }
        }
        original.close()
        XCTAssertEqual(saved, LoaderPosition(epoch: 1, batch: 2))
        let resumed = try TrainingLoader(cache: cache, options: options, start: saved)
        XCTAssertEqual(resumed.position, saved)
        for batch in later { same(batch, try resumed.next()) }
        XCTAssertThrowsError(
            try TrainingLoader(cache: cache, options: options, start: LoaderPosition(epoch: 0, batch: 4)))
    }

    func testSubsetSelectionAndPartialLastBatch() throws {
        let dir = try TemporaryDirectory()
        let (cache, _) = try CacheFixtures.coordinateCache(in: dir, count: 30, validation: 0.2)
        let validation = cache.rows(in: [.validation])
        XCTAssertEqual(validation.count, 6)
        let loader = try TrainingLoader(
            cache: cache, options: LoaderOptions(batchSize: 4, subsets: [.validation], dropLast: false))
        XCTAssertEqual(loader.batchesPerEpoch, 2)
        let first = try loader.next(), second = try loader.next()
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(second.count, 2)
        XCTAssertEqual((first.rows + second.rows).sorted(), validation)
        XCTAssertEqual(second.next, LoaderPosition(epoch: 1, batch: 0))
        let all = try TrainingLoader(
            cache: cache, options: LoaderOptions(batchSize: 30, subsets: [.train, .validation]))
        XCTAssertEqual(try all.next().rows.sorted(), Array(0..<30))
    }

    func testWithoutAugmentationBatchesAreCentreCrops() throws {
        let dir = try TemporaryDirectory()
        let (cache, ids) = try CacheFixtures.coordinateCache(in: dir, count: 12, validation: 0)
        let loader = try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 6, augmentation: .none))
        let batch = try loader.next()
        for k in 0..<6 {
            let p = placement(batch, k)
            XCTAssertEqual([p.x, p.y], [4, 4])
            XCTAssertFalse(p.flipped)
            XCTAssertEqual(p.id, ids[batch.rows[k]])
        }
    }

    func testRandomResizedCropsAreDeterministicAndInRange() throws {
        let dir = try TemporaryDirectory()
        let (cache, _) = try CacheFixtures.coordinateCache(in: dir, count: 12, validation: 0)
        let augmentation = BatchAugmentation(
            crop: .randomResized(scale: 0.5...1.0, ratio: 0.8...1.25), horizontalFlip: true)
        let options = LoaderOptions(batchSize: 6, seed: 2, augmentation: augmentation)
        let a = try TrainingLoader(cache: cache, options: options)
        let b = try TrainingLoader(cache: cache, options: options)
        for _ in 0..<3 {
            let x = try a.next()
            same(x, try b.next())
            XCTAssertEqual(x.images.shape, [6, 3, 32, 32])
            XCTAssertTrue(x.images.values.allSatisfy { $0 >= -1 && $0 <= 1 })
        }
        var bad = options
        bad.augmentation = BatchAugmentation(crop: .randomResized(scale: 0...1, ratio: 1...1), horizontalFlip: false)
        XCTAssertThrowsError(try TrainingLoader(cache: cache, options: bad))
    }

    func testInvalidRequestsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        let (cache, _) = try CacheFixtures.coordinateCache(in: dir, count: 9, validation: 0)
        XCTAssertThrowsError(try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 10))) { error in
            XCTAssertTrue("\(error)".contains("hold 9 images, fewer than one batch of 10"), "\(error)")
        }
        XCTAssertThrowsError(try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 0)))
        XCTAssertThrowsError(try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 2, subsets: [.test]))) {
            error in
            XCTAssertEqual((error as? DatasetError)?.kind, .emptyDataset)
        }
        XCTAssertThrowsError(try SequentialReader(cache: cache, batchSize: 4).batch(3))
        let loader = try TrainingLoader(cache: cache, options: LoaderOptions(batchSize: 3))
        loader.close()
        XCTAssertThrowsError(try loader.next())
    }

    func testOpeningSomethingThatIsNotACacheFails() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try DatasetCache.open(dir.url)) { error in
            XCTAssertEqual((error as? FileFormatError)?.kind, .notFound)
            XCTAssertTrue("\(error)".contains("pipeline prepare"), "\(error)")
        }
        let file = try HDF5File.create(at: dir.url.appendingPathComponent("images.h5"))
        try file.createDataset("images", type: .uint8, shape: [1, 2, 2, 3]).write([UInt8](repeating: 0, count: 12))
        try file.commit()
        XCTAssertThrowsError(try DatasetCache.open(dir.url)) { error in
            XCTAssertTrue("\(error)".contains("not a dataset cache"), "\(error)")
        }
    }

    func testScatteredRowsAreReadInTheOrderAsked() throws {
        let dir = try TemporaryDirectory()
        let (cache, ids) = try CacheFixtures.coordinateCache(in: dir, count: 10, validation: 0)
        let rows = [7, 2, 3, 9, 2, 0]
        let bytes = try cache.pixels(rows: rows)
        let stored = cache.bytesPerImage
        for (k, row) in rows.enumerated() {
            XCTAssertEqual(
                Array(bytes[(k * stored)..<((k + 1) * stored)]),
                CacheFixtures.coordinates(side: 40, id: ids[row]).pixels)
        }
        XCTAssertThrowsError(try cache.pixels(rows: [10]))
    }
}
