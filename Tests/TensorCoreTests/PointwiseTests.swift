import Foundation
import TensorCore
import XCTest

/// GELU, ReLU, scale-shift, softmax, permutes and the vectorised exp underneath them.
final class PointwiseTests: XCTestCase {
    func testGoldenGELUTanh() throws {
        try GoldenCase.load("gelu_tanh").check(inputs: ["x"]) { $0[0].gelu(.tanh) }
    }

    func testGoldenScaleShift() throws {
        try GoldenCase.load("scale_shift").check(inputs: ["x", "s", "t"]) {
            scaleShift($0[0], scale: $0[1], shift: $0[2])
        }
    }

    func testGELUExactMatchesDefinitionAndGradients() {
        let x = randomTensor([3, 11], seed: 1, scale: 2)
        let y = Variable(x).gelu(.exact).value
        for i in 0..<x.count {
            let v = Double(x[flat: i])
            XCTAssertEqual(Double(y[flat: i]), 0.5 * v * (1 + erf(v / 2.0.squareRoot())), accuracy: 1e-6)
        }
        assertGradientsMatch([x], epsilon: 1e-3) { $0[0].gelu(.exact) }
        assertGradientsMatch([x], epsilon: 1e-3) { $0[0].gelu() }
    }

    func testGELUTanhExtremes() {
        let y = Variable(Tensor(shape: [4], values: [-100, -10, 10, 100])).gelu().value
        XCTAssertEqual(y.values[0], 0, accuracy: 1e-6)
        XCTAssertEqual(y.values[1], 0, accuracy: 1e-6)
        XCTAssertEqual(y.values[2], 10, accuracy: 1e-5)
        XCTAssertEqual(y.values[3], 100, accuracy: 1e-4)
    }

    func testReLU() {
        let x = Variable(parameter: Tensor(shape: [5], values: [-2, -0.5, 0, 0.5, 3]))
        let y = x.relu()
        XCTAssertEqual(y.value.values, [0, 0, 0, 0.5, 3])
        y.backward(seed: Tensor(shape: [5], values: [1, 2, 3, 4, 5]))
        XCTAssertEqual(x.grad?.values, [0, 0, 0, 4, 5])
    }

    func testLeakyReLU() {
        let x = Variable(parameter: Tensor(shape: [5], values: [-2, -0.5, 0, 0.5, 3]))
        let y = x.leakyReLU(slope: 0.2)
        XCTAssertEqual(y.value.values, [-0.4, -0.1, 0, 0.5, 3])
        y.backward(seed: Tensor(shape: [5], values: [1, 2, 3, 4, 5]))
        XCTAssertEqual(x.grad?.values, [0.2, 0.4, 0.6000000238418579, 4, 5], "slope at 0, as PyTorch")
        assertGradientsMatch([randomTensor([3, 7], seed: 4)], epsilon: 1e-3) { $0[0].leakyReLU(slope: 0.1) }
    }

    func testScaleShiftGradientsAndBroadcastShapes() {
        let x = randomTensor([2, 3, 5, 1], seed: 2)
        assertGradientsMatch([x, randomTensor([2, 3], seed: 3), randomTensor([2, 3], seed: 4)]) {
            scaleShift($0[0], scale: $0[1], shift: $0[2])
        }
        assertGradientsMatch([x, randomTensor([2, 3, 1, 1], seed: 5), randomTensor([2, 3, 1, 1], seed: 6)]) {
            scaleShift($0[0], scale: $0[1], shift: $0[2])
        }
        // Same as broadcasting arithmetic.
        let s = randomTensor([2, 3, 1, 1], seed: 7), t = randomTensor([2, 3, 1, 1], seed: 8)
        assertSameValuesAndGradients([x, s, t]) {
            scaleShift($0[0], scale: $0[1], shift: $0[2])
        } reference: {
            $0[0] * ($0[1] + 1) + $0[2]
        }
    }

    func testFastExpAccuracy() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 4e-7)
        XCTAssertEqual(FastMath.exp(0), 1)
        XCTAssertEqual(FastMath.exp(-1000), 0, accuracy: 1e-37)
        XCTAssertTrue(FastMath.exp(1000).isFinite)
        XCTAssertTrue(FastMath.exp(.nan).isNaN)
        XCTAssertEqual(FastMath.tanh(30), 1)
        XCTAssertEqual(FastMath.tanh(-30), -1)
        XCTAssertEqual(FastMath.tanh(0.3), Foundation.tanh(0.3), accuracy: 2e-7)
    }

    func testSoftmax() {
        let x = randomTensor([3, 2, 9], seed: 9, scale: 3)
        let y = softmax(lastDimensionOf: Variable(x)).value
        for row in 0..<6 {
            let values = (0..<9).map { Double(x[flat: row * 9 + $0]) }
            let total = values.map { Foundation.exp($0) }.reduce(0, +)
            for i in 0..<9 {
                XCTAssertEqual(Double(y[flat: row * 9 + i]), Foundation.exp(values[i]) / total, accuracy: 1e-6)
            }
        }
        assertGradientsMatch([x], epsilon: 1e-3) { softmax(lastDimensionOf: $0[0]) }
        // Large logits must not overflow.
        let big = softmax(lastDimensionOf: Variable(Tensor(shape: [1, 3], values: [1000, 1000, -1000]))).value
        XCTAssertEqual(big.values, [0.5, 0.5, 0])
    }

    func testPermuteAndTranspose() {
        let x = randomTensor([2, 3, 4, 5], seed: 10)
        let order = [2, 0, 3, 1]
        let y = Variable(x).permuted(order).value
        XCTAssertEqual(y.shape, [4, 2, 5, 3])
        for a in 0..<2 {
            for b in 0..<3 {
                for c in 0..<4 {
                    for d in 0..<5 {
                        let source = ((a * 3 + b) * 4 + c) * 5 + d
                        let index = [a, b, c, d]
                        let target = ((index[2] * 2 + index[0]) * 5 + index[3]) * 3 + index[1]
                        XCTAssertEqual(y[flat: target], x[flat: source])
                    }
                }
            }
        }
        assertGradientsMatch([x]) { $0[0].permuted(order) }
        let big = randomTensor([3, 37, 70], seed: 11)  // not a multiple of the tile size
        let t = Variable(big).transposeLastTwo().value
        XCTAssertEqual(t.shape, [3, 70, 37])
        for b in 0..<3 {
            for i in 0..<37 {
                for j in 0..<70 {
                    XCTAssertEqual(t[flat: (b * 70 + j) * 37 + i], big[flat: (b * 37 + i) * 70 + j])
                }
            }
        }
        assertGradientsMatch([randomTensor([2, 3, 4], seed: 12)]) { $0[0].transposeLastTwo() }
        XCTAssertEqual(Variable(x).permuted([0, 1, 2, 3]).value, x)
    }

    func testAllocatorTuningAppliesOnGlibc() throws {
        #if os(Linux)
            // A sanitizer's allocator replaces glibc's and answers `mallopt` with "unsupported".
            for runtime in ["__asan_init", "__tsan_init"]
            where dlsym(UnsafeMutableRawPointer(bitPattern: 0), runtime) != nil {
                throw XCTSkip("\(runtime): glibc's allocator is replaced by the sanitizer's, which mallopt cannot tune")
            }
            XCTAssertTrue(AllocatorTuning.keepFreedMemoryForReuse())
        #endif
        // Allocation still works afterwards.
        XCTAssertEqual(Tensor(zeros: [1 << 20]).sum(), 0)
    }
}
