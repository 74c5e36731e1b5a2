import ImageMetrics
import XCTest

final class KernelDistanceTests: XCTestCase {
    private let options = KernelDistanceOptions(subsets: 20, subsetSize: 1000, seed: 3)

    func testFeaturesHaveTheDocumentedSizeAndAreFinite() throws {
        XCTAssertEqual(ImageStatisticsFeatures.dimension(height: 128, width: 128), 202)
        XCTAssertEqual(ImageStatisticsFeatures.blockSizes(height: 128, width: 128).map(\.size), [70, 48, 20, 64])
        let set = TestImages.make(count: 3, size: 32, seed: 1)
        let features = ImageStatisticsFeatures.features(of: set)
        XCTAssertEqual(features.count, 3 * ImageStatisticsFeatures.dimension(height: 32, width: 32))
        XCTAssertTrue(features.allSatisfy(\.isFinite))
        // A flat image has no gradients and no detail, but well-defined features.
        XCTAssertTrue(
            ImageStatisticsFeatures.features(of: TestImages.flat(count: 1, size: 16, value: 90)).allSatisfy(\.isFinite))
    }

    func testIdenticalSetsScoreNearZeroAndDegradationsWorseWithStrength() throws {
        let real = TestImages.make(count: 24, size: 32, seed: 2)
        let same = try KernelDistance.distance(real, reference: real, options: options)
        XCTAssertEqual(same.subsetSize, 12)
        XCTAssertEqual(same.features, KernelDistance.featureName)
        // Noise and blur at their strongest are far beyond the estimate's spread. (The random
        // colours of the test pictures make a hue rotation a mild change for whole-image features.)
        let strongest = try [Degradation.noise(real, sigma: 25), Degradation.blur(real, sigma: 2.4)].map {
            try KernelDistance.distance($0, reference: real, options: options).value
        }
        XCTAssertTrue(strongest.allSatisfy { $0 > 3 * abs(same.value) }, "\(strongest) vs \(same.value)")
        for (name, sets) in Degradation.ladders(real) {
            let scores = try sets.map { try KernelDistance.distance($0, reference: real, options: options).value }
            assertWorsens(same.value, scores, "ISKD, \(name)")
        }
    }

    func testTheSeedFixesTheResult() throws {
        let a = TestImages.make(count: 12, size: 32, seed: 4), b = TestImages.make(count: 14, size: 32, seed: 5)
        let subsets = KernelDistanceOptions(subsets: 10, subsetSize: 5, seed: 1)
        let first = try KernelDistance.distance(a, reference: b, options: subsets)
        XCTAssertEqual(first, try KernelDistance.distance(a, reference: b, options: subsets))
        XCTAssertEqual(first.subsetSize, 5)
        XCTAssertGreaterThan(first.standardDeviation, 0)
        var other = subsets
        other.seed = 2
        XCTAssertNotEqual(try KernelDistance.distance(a, reference: b, options: other).value, first.value)
    }

    /// The estimator itself: two samples of one distribution average ≈ 0 over many draws (within
    /// three standard errors), while a shifted distribution is clearly positive.
    func testTheEstimateIsUnbiasedUnderTheNull() throws {
        let d = 8, n = 60
        var random = TestRandom(seed: 11)
        func sample(shift: Double) -> [Float] { (0..<(n * d)).map { _ in Float(random.normal() + shift) } }
        let one = KernelDistanceOptions(subsets: 1, subsetSize: n, seed: 0)
        var null: [Double] = []
        for _ in 0..<200 {
            null.append(
                try KernelDistance.polynomialMMD(sample(shift: 0), sample(shift: 0), dimension: d, options: one).value)
        }
        let mean = null.reduce(0, +) / Double(null.count)
        let sd = (null.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(null.count - 1)).squareRoot()
        let standardError = sd / Double(null.count).squareRoot()
        XCTAssertLessThan(abs(mean), 3 * standardError, "mean \(mean), standard error \(standardError)")
        let shifted = try KernelDistance.polynomialMMD(sample(shift: 0.5), sample(shift: 0), dimension: d, options: one)
            .value
        XCTAssertGreaterThan(shifted, mean + 5 * sd, "shifted \(shifted) vs null \(mean) ± \(sd)")
    }

    func testTooFewImagesAndBadShapesAreErrors() {
        let one = TestImages.make(count: 1, size: 16, seed: 1)
        XCTAssertThrowsError(try KernelDistance.distance(one, reference: one)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .emptySet)
        }
        XCTAssertThrowsError(try KernelDistance.polynomialMMD([1, 2, 3], [1, 2], dimension: 2)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .invalidShape)
        }
    }
}
