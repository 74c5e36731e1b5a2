import TensorCore
import XCTest

final class OptimClippingTests: XCTestCase {
    /// Gradients (3, 4) and (12) have global norm 13: clipping to 6.5 halves them.
    func testClipsToMaxNormAndReturnsNormBefore() {
        let a = Variable(parameter: Tensor(zeros: [2]))
        let b = Variable(parameter: Tensor(zeros: [1]))
        let unused = Variable(parameter: Tensor(zeros: [3]))
        a.grad = Tensor(shape: [2], values: [3, 4])
        b.grad = Tensor(shape: [1], values: [12])
        let norm = clipGradientNorm([a, b, unused], maxNorm: 6.5)
        XCTAssertEqual(norm, 13, accuracy: 1e-9)
        XCTAssertEqual(a.grad!.values[0], 1.5, accuracy: 1e-6)
        XCTAssertEqual(a.grad!.values[1], 2, accuracy: 1e-6)
        XCTAssertEqual(b.grad!.values[0], 6, accuracy: 1e-6)
        XCTAssertNil(unused.grad)
        XCTAssertEqual(globalGradientNorm([a, b]), 6.5, accuracy: 1e-5)
    }

    func testLeavesSmallGradientsUntouched() {
        let a = Variable(parameter: Tensor(zeros: [2]))
        a.grad = Tensor(shape: [2], values: [0.3, 0.4])
        XCTAssertEqual(clipGradientNorm([a], maxNorm: 1), 0.5, accuracy: 1e-7)
        XCTAssertEqual(a.grad, Tensor(shape: [2], values: [0.3, 0.4]))
    }

    /// A big gradient goes through the multi-threaded sum; the result must match a plain Double sum.
    func testLargeGradientNormAndOptimizerShorthand() {
        let big = Variable(parameter: Tensor(zeros: [300_001]))
        big.grad = randomTensor([300_001], seed: 3)
        let expected = big.grad!.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let optimizer = AdamW(parameters: [("big", big)])
        let norm = optimizer.clipGradientNorm(maxNorm: 1)
        XCTAssertEqual(norm, expected, accuracy: expected * 1e-6)
        XCTAssertEqual(globalGradientNorm([big]), 1, accuracy: 1e-5)
    }

    func testNonFiniteNormLeavesGradientsForTheCallerToSkip() {
        let a = Variable(parameter: Tensor(zeros: [2]))
        a.grad = Tensor(shape: [2], values: [.nan, 1])
        XCTAssertTrue(clipGradientNorm([a], maxNorm: 1).isNaN)
        XCTAssertEqual(a.grad!.values[1], 1)
    }
}
