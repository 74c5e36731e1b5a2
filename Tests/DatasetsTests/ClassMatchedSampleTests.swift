import Datasets
import XCTest

final class ClassMatchedSampleTests: XCTestCase {
    /// Rows 0..<n with the labels given class by class: [10, 90] is 10 rows of class 0, then 90 of 1.
    private func rows(_ perClass: [Int]) -> [(row: Int, label: Int)] {
        var rows: [(row: Int, label: Int)] = []
        for (label, count) in perClass.enumerated() {
            for _ in 0..<count { rows.append((rows.count, label)) }
        }
        return rows
    }

    private func labels(_ matched: ClassBalancedSample.Matched?, of rows: [(row: Int, label: Int)]) -> [Int: Int] {
        let labelOf = Dictionary(uniqueKeysWithValues: rows.map { ($0.row, $0.label) })
        return Dictionary((matched?.rows ?? []).map { (labelOf[$0]!, 1) }, uniquingKeysWith: +)
    }

    /// The other subsets mix the classes 10/90, the reference 10/10: the sample is 10/10 (at any
    /// count, in proportion), whereas a uniform draw would be about 2/18.
    func testTheSampleTakesTheHistogramsMixNotTheRowsMix() throws {
        let pool = rows([10, 90])
        let matched = try XCTUnwrap(ClassBalancedSample.rows(pool, matching: [0: 10, 1: 10], count: 20, seed: 1))
        XCTAssertEqual(labels(matched, of: pool), [0: 10, 1: 10])
        XCTAssertEqual(matched.counts, [0: 10, 1: 10])
        XCTAssertEqual(matched.shortfalls, [])
        XCTAssertEqual(matched.rows, matched.rows.sorted())
        XCTAssertEqual(Set(matched.rows).count, 20)
        XCTAssertEqual(
            labels(ClassBalancedSample.rows(pool, matching: [0: 1, 1: 3], count: 8, seed: 1), of: pool), [0: 2, 1: 6])
        // Shares of a count that does not divide: the largest remainder rounds up.
        XCTAssertEqual(
            labels(ClassBalancedSample.rows(pool, matching: [0: 1, 1: 1], count: 5, seed: 1), of: pool), [0: 3, 1: 2])
        // Deterministic given the seed, another draw with another.
        XCTAssertEqual(ClassBalancedSample.rows(pool, matching: [0: 10, 1: 10], count: 20, seed: 1), matched)
        XCTAssertNotEqual(
            ClassBalancedSample.rows(pool, matching: [0: 10, 1: 10], count: 20, seed: 2)?.rows, matched.rows)
    }

    /// Classes outside the histogram are never drawn; a class short of rows gives all it has, is
    /// reported, and the others make up the count in proportion to their weights.
    func testShortClassesAreReportedAndTheOthersMakeUpTheCount() throws {
        let pool = rows([3, 50, 50, 40])
        let matched = try XCTUnwrap(
            ClassBalancedSample.rows(pool, matching: [0: 10, 1: 10, 2: 20], count: 40, seed: 0))
        XCTAssertEqual(matched.shortfalls, [.init(label: 0, wanted: 10, available: 3)])
        // 7 missing rows shared 1:2 between classes 1 and 2 (2.33 and 4.67: 2 and 5).
        XCTAssertEqual(labels(matched, of: pool), [0: 3, 1: 12, 2: 25])
        XCTAssertNil(
            ClassBalancedSample.rows(pool, matching: [0: 1], count: 4, seed: 0), "class 0 holds 3 rows, fewer than 4")
    }
}
