import Datasets
import XCTest

final class DatasetSplitTests: XCTestCase {
    func testSplitIsADeterministicPartition() throws {
        let a = try DatasetSplit.make(count: 1000, validation: 0.1, test: 0.2, seed: 42)
        XCTAssertEqual(a, try DatasetSplit.make(count: 1000, validation: 0.1, test: 0.2, seed: 42))
        XCTAssertNotEqual(a, try DatasetSplit.make(count: 1000, validation: 0.1, test: 0.2, seed: 43))
        XCTAssertEqual(a.validation.count, 100)
        XCTAssertEqual(a.test.count, 200)
        XCTAssertEqual(a.train.count, 700)
        XCTAssertEqual((a.train + a.validation + a.test).sorted(), Array(0..<1000))
        XCTAssertEqual(a.train, a.train.sorted())
        // Shuffled, not cut in blocks: the validation set spreads over the whole range.
        XCTAssertLessThan(a.validation.first!, 100)
        XCTAssertGreaterThan(a.validation.last!, 900)
    }

    func testStratifiedSplitKeepsClassProportions() throws {
        // Three classes of 50, 30 and 20 items, interleaved.
        var labels: [Int] = []
        for i in 0..<100 { labels.append(i % 10 < 5 ? 0 : (i % 10 < 8 ? 1 : 2)) }
        let split = try DatasetSplit.make(count: 100, validation: 0.2, test: 0.1, seed: 7, labels: labels)
        func counts(_ part: [Int]) -> [Int] { (0..<3).map { c in part.filter { labels[$0] == c }.count } }
        XCTAssertEqual(counts(split.validation), [10, 6, 4])
        XCTAssertEqual(counts(split.test), [5, 3, 2])
        XCTAssertEqual(counts(split.train), [35, 21, 14])
        XCTAssertEqual((split.train + split.validation + split.test).sorted(), Array(0..<100))
    }

    func testEdgeCases() throws {
        XCTAssertEqual(
            try DatasetSplit.make(count: 0, validation: 0.5, seed: 1), DatasetSplit(train: [], validation: [], test: [])
        )
        let all = try DatasetSplit.make(count: 5, validation: 0, seed: 1)
        XCTAssertEqual(all.train, [0, 1, 2, 3, 4])
        let none = try DatasetSplit.make(count: 5, validation: 0.5, test: 0.5, seed: 1)
        XCTAssertEqual(none.train.count + none.validation.count + none.test.count, 5)
        XCTAssertThrowsError(try DatasetSplit.make(count: 10, validation: 0.7, test: 0.4, seed: 1))
        XCTAssertThrowsError(try DatasetSplit.make(count: 10, validation: -0.1, seed: 1))
        XCTAssertThrowsError(try DatasetSplit.make(count: -1, validation: 0.1, seed: 1))
        XCTAssertThrowsError(try DatasetSplit.make(count: 3, validation: 0.1, seed: 1, labels: [0, 1]))
    }
}
