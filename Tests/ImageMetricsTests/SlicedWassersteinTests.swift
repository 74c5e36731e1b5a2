import ImageMetrics
import XCTest

final class SlicedWassersteinTests: XCTestCase {
    /// Few patches and directions keep the tests fast; the procedure is the full one.
    private let options = SlicedWassersteinOptions(
        patchesPerImage: 32, directionRepeats: 2, directionsPerRepeat: 32, seed: 7)

    func testIdenticalSetsAreAtZeroOnEveryLevel() throws {
        let set = TestImages.make(count: 10, size: 32, seed: 1)
        let result = try SlicedWassersteinDistance(options: options).distance(set, set)
        XCTAssertEqual(result.perLevel, [0, 0])
        XCTAssertEqual(result.mean, 0)
    }

    func testOneLevelPerHalvingDownTo16Pixels() throws {
        let metric = try SlicedWassersteinDistance(options: options)
        XCTAssertEqual(metric.resolutions(height: 128, width: 128), [128, 64, 32, 16])
        XCTAssertEqual(metric.resolutions(height: 64, width: 80), [64, 32, 16])
        XCTAssertEqual(metric.resolutions(height: 24, width: 24), [24])
        let a = TestImages.make(count: 3, size: 64, seed: 1), b = TestImages.make(count: 3, size: 64, seed: 2)
        let result = try metric.distance(a, b)
        XCTAssertEqual(result.resolutions, [64, 32, 16])
        XCTAssertEqual(result.perLevel.count, 3)
        XCTAssertEqual(result.mean, result.perLevel.reduce(0, +) / 3, accuracy: 1e-12)
        XCTAssertTrue(result.perLevel.allSatisfy { $0 > 0 && $0.isFinite }, "\(result.perLevel)")
    }

    func testTooSmallImagesAndBadOptionsAreErrors() throws {
        let tiny = TestImages.make(count: 2, size: 15, seed: 1)
        XCTAssertThrowsError(try SlicedWassersteinDistance(options: options).distance(tiny, tiny)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .tooSmall)
        }
        XCTAssertThrowsError(try SlicedWassersteinDistance(options: SlicedWassersteinOptions(patchSize: 6)))
        XCTAssertThrowsError(try SlicedWassersteinDistance(options: SlicedWassersteinOptions(minimumResolution: 5)))
        let other = TestImages.make(count: 2, size: 16, seed: 1)
        XCTAssertThrowsError(try SlicedWassersteinDistance(options: options).distance(tiny, other)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .mismatchedSets)
        }
    }

    func testNoiseBlurAndColourShiftScoreWorseWithStrength() throws {
        let metric = try SlicedWassersteinDistance(options: options)
        let real = TestImages.make(count: 12, size: 32, seed: 3)
        let baseline = try metric.distance(real, real).mean
        for (name, sets) in Degradation.ladders(real) {
            let scores = try sets.map { try metric.distance($0, real).mean }
            assertWorsens(baseline, scores, "SWD, \(name)")
        }
        // Blur shows at the finest level first.
        let blurred = try metric.distance(Degradation.blur(real, sigma: 1.2), real)
        XCTAssertGreaterThan(blurred.perLevel[0], blurred.perLevel[1])
    }

    func testTheSeedFixesTheResult() throws {
        let a = TestImages.make(count: 6, size: 32, seed: 4), b = TestImages.make(count: 6, size: 32, seed: 5)
        let first = try SlicedWassersteinDistance(options: options).distance(a, b)
        let again = try SlicedWassersteinDistance(options: options).distance(a, b)
        XCTAssertEqual(first, again)
        var other = options
        other.seed = 8
        XCTAssertNotEqual(try SlicedWassersteinDistance(options: other).distance(a, b).perLevel, first.perLevel)
    }

    func testAReferenceScoresLikeTheDirectComparison() throws {
        let metric = try SlicedWassersteinDistance(options: options)
        let real = TestImages.make(count: 6, size: 32, seed: 6),
            generated = TestImages.make(count: 6, size: 32, seed: 9)
        let reference = try metric.reference(real)
        XCTAssertEqual(try reference.distance(to: generated), try metric.distance(generated, real))
        XCTAssertThrowsError(try reference.distance(to: TestImages.make(count: 2, size: 16, seed: 1)))
    }

    /// Sets of different sizes compare quantile functions; the distance stays symmetric.
    func testSetsOfDifferentSizes() throws {
        let metric = try SlicedWassersteinDistance(options: options)
        let small = TestImages.make(count: 5, size: 32, seed: 10),
            large = TestImages.make(count: 11, size: 32, seed: 11)
        let ab = try metric.distance(small, large), ba = try metric.distance(large, small)
        XCTAssertEqual(ab.perLevel[0], ba.perLevel[0], accuracy: 1e-9)
        XCTAssertGreaterThan(ab.mean, 0)
    }
}
