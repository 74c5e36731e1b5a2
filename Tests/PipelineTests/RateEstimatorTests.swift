import Pipeline
import XCTest

final class RateEstimatorTests: XCTestCase {
    func testSteadyRateIsExact() {
        var estimator = RateEstimator(startTime: 100, smoothingSeconds: 5)
        XCTAssertNil(estimator.rate)
        for second in 1...20 {
            estimator.record(count: second * 7, at: 100 + Double(second))
        }
        XCTAssertEqual(estimator.rate!, 7, accuracy: 1e-9)
    }

    func testFollowsAChangeOfSpeedWithinAFewTimeConstants() {
        var estimator = RateEstimator(startTime: 0, smoothingSeconds: 5)
        var count = 0
        for second in 1...30 {
            count += 10
            estimator.record(count: count, at: Double(second))
        }
        for second in 31...60 {
            count += 2
            estimator.record(count: count, at: Double(second))
        }
        // After 30 s (6 time constants) the old speed weighs e⁻⁶ ≈ 0.25%.
        XCTAssertEqual(estimator.rate!, 2, accuracy: 0.05)
        XCTAssertGreaterThan(estimator.rate!, 2)
    }

    func testSamplesCloserThanTheMinimumIntervalAreMerged() {
        var estimator = RateEstimator(startTime: 0, smoothingSeconds: 10, minimumInterval: 0.1)
        estimator.record(count: 1, at: 0.01)
        XCTAssertNil(estimator.rate)
        estimator.record(count: 20, at: 0.2)
        XCTAssertEqual(estimator.rate!, 100, accuracy: 1e-9)
    }
}
