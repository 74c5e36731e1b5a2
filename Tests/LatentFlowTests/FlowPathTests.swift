import LatentFlow
import TensorCore
import XCTest

final class FlowPathTests: XCTestCase {
    func testPathsRunFromNoiseToData() {
        var generator = SeededGenerator(seed: 1)
        let noise = Initialization.normal(shape: [3, 2, 2, 2], generator: &generator)
        let data = Initialization.normal(shape: [3, 2, 2, 2], generator: &generator)
        for path in FlowPath.allCases {
            let (start, _) = path.interpolate(noise: noise, data: data, times: [0, 0, 0])
            let (end, _) = path.interpolate(noise: noise, data: data, times: [1, 1, 1])
            XCTAssertLessThan(start.maxAbsoluteDifference(noise), 1e-6, "\(path) at t = 0")
            XCTAssertLessThan(end.maxAbsoluteDifference(data), 1e-6, "\(path) at t = 1")
        }
        let (_, velocity) = FlowPath.linear.interpolate(noise: noise, data: data, times: [0.2, 0.5, 0.9])
        XCTAssertLessThan(velocity.maxAbsoluteDifference(data.zipMap(noise, -)), 1e-6, "linear target x₁ − x₀")
    }

    /// The velocity target is the time derivative of the path (central differences).
    func testVelocityTargetIsTheDerivativeOfThePath() {
        for path in FlowPath.allCases {
            for t: Float in [0.1, 0.4, 0.75] {
                let k = path.coefficients(at: t)
                let h: Float = 1e-3
                let after = path.coefficients(at: t + h), before = path.coefficients(at: t - h)
                XCTAssertEqual(k.alphaRate, (after.alpha - before.alpha) / (2 * h), accuracy: 2e-3, "\(path) α′(\(t))")
                XCTAssertEqual(k.sigmaRate, (after.sigma - before.sigma) / (2 * h), accuracy: 2e-3, "\(path) σ′(\(t))")
            }
        }
        let cosine = FlowPath.cosine.coefficients(at: 0.5)
        XCTAssertEqual(
            cosine.alpha * cosine.alpha + cosine.sigma * cosine.sigma, 1, accuracy: 1e-6, "variance preserving")
    }

    func testTimeSamplingDistributions() {
        var generator = SeededGenerator(seed: 9)
        let uniform = TimeSampling.uniform.sample(4000, generator: &generator)
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(Double(uniform.reduce(0, +)) / 4000, 0.5, accuracy: 0.02)

        let logit = TimeSampling(.logitNormal(mean: 0, std: 1)).sample(4000, generator: &generator)
        let middle = logit.filter { $0 > 0.25 && $0 < 0.75 }.count
        let edges = logit.filter { $0 < 0.1 || $0 > 0.9 }.count
        XCTAssertGreaterThan(middle, 2400, "most of the mass in the middle: P(|u| < ln 3) ≈ 0.73")
        XCTAssertLessThan(edges, 400)

        let shifted = TimeSampling(.uniform, shift: 3).sample(4000, generator: &generator)
        XCTAssertEqual(
            Double(shifted.filter { $0 < 0.25 }.count) / 4000, 0.5, accuracy: 0.03,
            "shift 3 sends t = 1/2 to 1/4, so half the times fall below 1/4")
        XCTAssertEqual(TimeWarp.shift(0.5, by: 1), 0.5)
        XCTAssertEqual(TimeWarp.shift(1, by: 4), 1)
    }

    func testChannelStatisticsRoundTrip() {
        var generator = SeededGenerator(seed: 5)
        var x = Initialization.normal(shape: [16, 3, 4, 4], generator: &generator)
        // Give each channel its own offset and scale.
        x.withUnsafeMutablePointer { p in
            for i in 0..<16 {
                for c in 0..<3 {
                    for j in 0..<16 { p[(i * 3 + c) * 16 + j] = p[(i * 3 + c) * 16 + j] * Float(c + 1) + Float(5 * c) }
                }
            }
        }
        let statistics = ChannelStatistics.measure(x)
        let standard = statistics.standardize(x)
        let again = ChannelStatistics.measure(standard)
        for c in 0..<3 {
            XCTAssertEqual(again.mean[c], 0, accuracy: 1e-5)
            XCTAssertEqual(again.std[c], 1, accuracy: 1e-4)
            XCTAssertEqual(statistics.mean[c], Float(5 * c), accuracy: 0.3 * Float(c + 1))
        }
        XCTAssertLessThan(statistics.destandardize(standard).maxAbsoluteDifference(x), 1e-5)
    }
}
