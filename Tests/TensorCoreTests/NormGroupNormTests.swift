import TensorCore
import XCTest

/// GroupNorm against PyTorch, against its definition, and by finite differences.
final class NormGroupNormTests: XCTestCase {
    func testGoldenGroupNorm() throws {
        let golden = try GoldenCase.load("group_norm")
        let groups = try golden.setting("groups"), eps = try golden.floatSetting("eps")
        try golden.check(inputs: ["x", "gamma", "beta"]) {
            groupNorm($0[0], groups: groups, weight: $0[1], bias: $0[2], epsilon: eps)
        }
    }

    /// The definition computed directly in Double: per (sample, group) mean and biased variance.
    func testMatchesDefinition() {
        let (n, c, h, w, groups) = (3, 6, 5, 7, 3)
        let x = randomTensor([n, c, h, w], seed: 1, scale: 3).map { $0 + 2 }  // non-zero mean
        let gamma = randomTensor([c], seed: 2), beta = randomTensor([c], seed: 3)
        let y = groupNorm(Variable(x), groups: groups, weight: Variable(gamma), bias: Variable(beta)).value
        let cpg = c / groups, size = cpg * h * w
        var worst: Double = 0
        for sample in 0..<n {
            for g in 0..<groups {
                let start = (sample * c + g * cpg) * h * w
                var mean = 0.0
                for i in 0..<size { mean += Double(x[flat: start + i]) }
                mean /= Double(size)
                var variance = 0.0
                for i in 0..<size {
                    variance += (Double(x[flat: start + i]) - mean) * (Double(x[flat: start + i]) - mean)
                }
                variance /= Double(size)
                for i in 0..<size {
                    let ch = g * cpg + i / (h * w)
                    let expected =
                        (Double(x[flat: start + i]) - mean) / (variance + 1e-5).squareRoot()
                        * Double(gamma[flat: ch]) + Double(beta[flat: ch])
                    worst = max(worst, abs(expected - Double(y[flat: start + i])))
                }
            }
        }
        XCTAssertLessThan(worst, 2e-5)
    }

    func testGradientsOnAwkwardShapes() {
        // (shape, groups): odd sizes, one group, one channel per group, 1×1 spatial with several channels.
        let cases: [([Int], Int)] = [
            ([2, 6, 3, 5], 3), ([1, 4, 3, 3], 1), ([2, 5, 2, 3], 5), ([3, 4, 1, 1], 2),
            ([1, 3, 17, 1], 3),
        ]
        for (i, (shape, groups)) in cases.enumerated() {
            let x = randomTensor(shape, seed: UInt64(10 + i)), gamma = randomTensor([shape[1]], seed: UInt64(20 + i))
            let beta = randomTensor([shape[1]], seed: UInt64(30 + i))
            assertGradientsMatch([x, gamma, beta], epsilon: 1e-2) {
                groupNorm($0[0], groups: groups, weight: $0[1], bias: $0[2])
            }
            assertGradientsMatch([x]) { groupNorm($0[0], groups: groups, weight: nil, bias: nil) }
        }
    }

    func testFusedVariantGradients() {
        let x = randomTensor([2, 6, 3, 5], seed: 41), gamma = randomTensor([6], seed: 42)
        let beta = randomTensor([6], seed: 43), s = randomTensor([2, 6], seed: 44, scale: 0.5)
        let t = randomTensor([2, 6], seed: 45), m = randomTensor([2, 12, 1, 1], seed: 46, scale: 0.5)
        assertGradientsMatch([x, gamma, beta]) { groupNormSiLU($0[0], groups: 2, weight: $0[1], bias: $0[2]) }
        assertGradientsMatch([x, gamma, beta, s, t]) {
            groupNormScaleShift($0[0], groups: 3, weight: $0[1], bias: $0[2], scale: $0[3], shift: $0[4], silu: true)
        }
        assertGradientsMatch([x, gamma, beta, m]) {
            groupNormScaleShift($0[0], groups: 6, weight: $0[1], bias: $0[2], modulation: $0[3], silu: true)
        }
        assertGradientsMatch([x, s, t]) {
            groupNormScaleShift($0[0], groups: 1, weight: nil, bias: nil, scale: $0[1], shift: $0[2], silu: false)
        }
    }

    func testLargeSpatialPlanesKeepPrecision() {
        // A 128×128 plane with mean 100 and standard deviation 0.01: a one-pass E[x²] − E[x]² would
        // lose the variance entirely; two passes give unit variance. (The mean itself, stored as a
        // float near 100, is only good to ~4e-6, i.e. 4e-4 standard deviations — as in PyTorch.)
        let x = randomTensor([1, 2, 128, 128], seed: 5).map { $0 * 0.01 + 100 }
        let y = groupNorm(Variable(x), groups: 1, weight: nil, bias: nil, epsilon: 0).value
        var mean = 0.0, square = 0.0
        for i in 0..<y.count {
            mean += Double(y[flat: i])
            square += Double(y[flat: i]) * Double(y[flat: i])
        }
        XCTAssertEqual(mean / Double(y.count), 0, accuracy: 1e-3)
        XCTAssertEqual(square / Double(y.count), 1, accuracy: 1e-3)
    }

    func testModuleParametersAndCall() {
        let norm = GroupNorm(groups: 2, channels: 4)
        XCTAssertEqual(norm.namedParameters().map(\.name), ["weight", "bias"])
        XCTAssertEqual(norm.weight.value.values, [1, 1, 1, 1])
        XCTAssertEqual(norm.bias.value.values, [0, 0, 0, 0])
        let x = Variable(randomTensor([2, 4, 3, 3], seed: 6))
        let expected = groupNorm(x, groups: 2, weight: nil, bias: nil).value
        XCTAssertLessThan(norm(x).value.maxAbsoluteDifference(expected), 1e-6)
        XCTAssertLessThan(norm.fusedSiLU(x).value.maxAbsoluteDifference(Variable(expected).silu().value), 1e-6)
    }
}
