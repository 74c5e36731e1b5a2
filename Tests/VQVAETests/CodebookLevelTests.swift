import TensorCore
import VQVAE
import XCTest

final class CodebookLevelTests: XCTestCase {
    /// Two one-dimensional codes, decay ½: the EMA and Laplace-smoothing arithmetic by hand.
    func testEMAUpdateMatchesTheFormulaOnAHandCase() {
        var level = CodebookLevel(
            codebook: Tensor(shape: [2, 1], values: [0, 2]), emaCounts: Tensor(shape: [2], values: [1, 1]),
            emaSums: Tensor(shape: [2, 1], values: [0, 2]), idleSteps: Tensor(shape: [2], values: [3, 3]))
        let vectors = Tensor(shape: [3, 1], values: [1, 3, 5])
        let epsilon = 1e-2
        level.applyEMA(vectors: vectors, codes: [0, 1, 1], decay: 0.5, epsilon: epsilon)
        // counts: ½·1 + ½·1 = 1 and ½·1 + ½·2 = 1.5; sums: ½·0 + ½·1 = 0.5 and ½·2 + ½·8 = 5.
        XCTAssertEqual(level.emaCounts.values, [1, 1.5])
        XCTAssertEqual(level.emaSums.values, [0.5, 5])
        let n = 2.5
        let smoothed0 = (1 + epsilon) / (n + 2 * epsilon) * n
        let smoothed1 = (1.5 + epsilon) / (n + 2 * epsilon) * n
        XCTAssertEqual(Double(level.codebook[flat: 0]), 0.5 / smoothed0, accuracy: 1e-6)
        XCTAssertEqual(Double(level.codebook[flat: 1]), 5 / smoothed1, accuracy: 1e-6)
        // Both codes were chosen: idle counters reset.
        XCTAssertEqual(level.idleSteps.values, [0, 0])

        level.applyEMA(vectors: Tensor(shape: [1, 1], values: [4]), codes: [1], decay: 0.5, epsilon: epsilon)
        XCTAssertEqual(level.idleSteps.values, [1, 0])
        XCTAssertEqual(level.emaCounts.values, [0.5, 1.25])
    }

    func testIdleCodesAreReseededFromTheGivenVectors() {
        var level = CodebookLevel(
            codebook: Tensor(shape: [3, 2], values: [0, 0, 9, 9, 1, 1]),
            emaCounts: Tensor(shape: [3], values: [4, 0.01, 4]),
            emaSums: Tensor(shape: [3, 2], values: [0, 0, 0.09, 0.09, 4, 4]),
            idleSteps: Tensor(shape: [3], values: [0, 5, 4]))
        let vectors = Tensor(shape: [4, 2], values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
        var generator = SeededGenerator(seed: 1)
        XCTAssertEqual(level.restartIdleCodes(vectors: vectors, window: 6, generator: &generator), [])
        let restarted = level.restartIdleCodes(vectors: vectors, window: 5, generator: &generator)
        XCTAssertEqual(restarted, [1])
        let code = Array(level.codebook.values[2..<4])
        let rows = stride(from: 0, to: 8, by: 2).map { Array(vectors.values[$0..<($0 + 2)]) }
        XCTAssertTrue(rows.contains(code), "code 1 became \(code), not one of the vectors")
        XCTAssertEqual(Array(level.emaSums.values[2..<4]), code)
        XCTAssertEqual(level.emaCounts[flat: 1], 1)
        XCTAssertEqual(level.idleSteps.values, [0, 0, 4])
        // The other codes are untouched.
        XCTAssertEqual(Array(level.codebook.values[0..<2]), [0, 0])
        XCTAssertEqual(Array(level.codebook.values[4..<6]), [1, 1])
    }

    func testKMeansFindsSeparatedClusters() {
        var generator = SeededGenerator(seed: 3)
        let centres: [[Float]] = [[-5, -5], [5, 5], [-5, 5], [5, -5]]
        var values: [Float] = []
        for i in 0..<400 {
            let centre = centres[i % 4]
            values += [centre[0] + 0.1 * generator.normal(), centre[1] + 0.1 * generator.normal()]
        }
        let result = KMeans.fit(
            Tensor(shape: [400, 2], values: values), clusters: 4, iterations: 10, generator: &generator)
        XCTAssertEqual(result.sizes, [100, 100, 100, 100])
        let found = stride(from: 0, to: 8, by: 2).map { [result.centroids[flat: $0], result.centroids[flat: $0 + 1]] }
        for centre in centres {
            XCTAssertTrue(
                found.contains { abs($0[0] - centre[0]) < 0.1 && abs($0[1] - centre[1]) < 0.1 },
                "no centroid near \(centre): \(found)")
        }
    }

    func testKMeansWithFewerVectorsThanClustersKeepsDistinctCentres() {
        var generator = SeededGenerator(seed: 4)
        let result = KMeans.fit(
            Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6]), clusters: 8, iterations: 3, generator: &generator)
        XCTAssertEqual(result.centroids.shape, [8, 2])
        XCTAssertEqual(result.sizes.reduce(0, +), 3)
        let rows = stride(from: 0, to: 16, by: 2).map { [result.centroids[flat: $0], result.centroids[flat: $0 + 1]] }
        XCTAssertEqual(Set(rows.map { "\($0)" }).count, 8)
    }
}
