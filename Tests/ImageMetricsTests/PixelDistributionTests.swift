import ImageMetrics
import XCTest

final class PixelDistributionTests: XCTestCase {
    func testIdenticalSetsScoreZero() throws {
        let set = TestImages.make(count: 6, size: 24, seed: 1)
        let result = try PixelDistributionMetrics.compare(set, reference: set)
        XCTAssertEqual(result.jensenShannon, 0)
        XCTAssertEqual(result.wasserstein, 0)
        XCTAssertEqual(result.standardDeviationDifference, 0)
        XCTAssertEqual(result.mmd, 0, accuracy: 1e-3)
        XCTAssertGreaterThan(result.mmdBandwidth, 0)
    }

    /// Black against white: disjoint histograms (1 bit), every value moved by the whole range.
    func testBlackAgainstWhiteIsTheExtremeCase() throws {
        let black = TestImages.flat(count: 2, size: 8, value: 0), white = TestImages.flat(count: 3, size: 8, value: 255)
        let result = try PixelDistributionMetrics.compare(black, reference: white)
        XCTAssertEqual(result.jensenShannon, 1, accuracy: 1e-12)
        XCTAssertEqual(result.wasserstein, 1, accuracy: 1e-12)
        XCTAssertEqual(result.standardDeviationDifference, 0)
        // σ falls back to one level when the reference has no spread; k(black, white) ≈ 0.
        XCTAssertEqual(result.mmd, 2, accuracy: 1e-6)
    }

    func testAHalfLevelShiftHasTheExpectedWasserstein() throws {
        let a = TestImages.flat(count: 1, size: 4, value: 100), b = TestImages.flat(count: 1, size: 4, value: 110)
        XCTAssertEqual(try PixelDistributionMetrics.compare(a, reference: b).wasserstein, 10.0 / 255, accuracy: 1e-12)
    }

    func testDegradationsScoreWorseWithStrength() throws {
        let real = TestImages.make(count: 12, size: 32, seed: 2)
        let base = try PixelDistributionMetrics.compare(real, reference: real)
        for (name, sets) in Degradation.ladders(real) {
            let results = try sets.map { try PixelDistributionMetrics.compare($0, reference: real) }
            assertWorsens(base.jensenShannon, results.map(\.jensenShannon), "JS, \(name)")
            assertWorsens(base.wasserstein, results.map(\.wasserstein), "W1, \(name)")
            assertWorsens(base.mmd, results.map(\.mmd), "MMD, \(name)")
        }
        // The spread of values: noise widens it, blur narrows it. (A hue rotation keeps it
        // nearly unchanged by design, so it is not part of this check.)
        let noisy = try Degradation.noiseLevels.map {
            try PixelDistributionMetrics.compare(Degradation.noise(real, sigma: $0), reference: real)
                .standardDeviationDifference
        }
        assertWorsens(0, noisy, "std difference, noise")
        let blurred = try Degradation.blurLevels.map {
            try PixelDistributionMetrics.compare(Degradation.blur(real, sigma: $0), reference: real)
                .standardDeviationDifference
        }
        assertWorsens(0, blurred.map { -$0 }, "std difference, blur")
    }

    func testTheSeedFixesTheMMD() throws {
        let a = TestImages.make(count: 4, size: 16, seed: 3), b = TestImages.make(count: 4, size: 16, seed: 4)
        let options = PixelDistributionOptions(mmdSampleSize: 500, seed: 5)
        let first = try PixelDistributionMetrics.compare(a, reference: b, options: options)
        XCTAssertEqual(first, try PixelDistributionMetrics.compare(a, reference: b, options: options))
        XCTAssertNotEqual(
            first.mmd,
            try PixelDistributionMetrics.compare(a, reference: b, options: .init(mmdSampleSize: 500, seed: 6)).mmd)
    }
}
