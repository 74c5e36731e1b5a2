import TensorCore
import XCTest

/// `reusingTransformedWeights`: repeated inference passes reuse each convolution's transformed
/// weights, and a weight changed in place between passes is never served stale.
final class TransformedWeightReuseTests: XCTestCase {
    func testReusedPassesEqualFreshOnesAndSeeWeightChanges() {
        let x = randomTensor([2, 8, 16, 16], seed: 7)
        let weight = randomTensor([6, 8, 3, 3], seed: 8), bias = randomTensor([6], seed: 9)
        func pass() -> Tensor {
            withoutGradients { conv2d(Variable(x), weight: Variable(weight), bias: Variable(bias), padding: 1).value }
        }
        let fresh = pass()
        reusingTransformedWeights {
            XCTAssertEqual(pass().values, fresh.values, "first pass in the scope")
            XCTAssertEqual(pass().values, fresh.values, "second pass, from the cache")
            // An optimizer step or swapped-in EMA weights write into the same buffer.
            weight.unsafePointer[5] += 0.5
            let changed = pass()
            XCTAssertNotEqual(changed.values, fresh.values, "the changed weight must be used")
            weight.unsafePointer[5] -= 0.5
            XCTAssertEqual(pass().values, fresh.values, "and the restored one again")
        }
        XCTAssertEqual(pass().values, fresh.values, "after the scope")
    }

    /// Inside the scope every other convolution multiplies with its packed weight matrix (and
    /// pointwise ones image by image); the results match the OpenBLAS path outside it.
    func testPackedMatrixConvolutionsMatchThePlainPath() {
        let cases: [(x: Tensor, weight: Tensor, stride: Int, padding: Int)] = [
            // pointwise, small images
            (randomTensor([3, 24, 4, 4], seed: 1), randomTensor([10, 24, 1, 1], seed: 2), 1, 0),
            // pointwise, large images
            (randomTensor([2, 16, 20, 20], seed: 3), randomTensor([13, 16, 1, 1], seed: 4), 1, 0),
            (randomTensor([2, 5, 9, 9], seed: 5), randomTensor([7, 5, 3, 3], seed: 6), 2, 1),  // strided 3×3
            (randomTensor([3, 4, 8, 8], seed: 7), randomTensor([9, 4, 3, 3], seed: 8), 1, 1),  // few input channels
        ]
        for (index, c) in cases.enumerated() {
            let bias = randomTensor([c.weight.shape[0]], seed: 50 + UInt64(index))
            func pass() -> Tensor {
                withoutGradients {
                    conv2d(
                        Variable(c.x), weight: Variable(c.weight), bias: Variable(bias), stride: c.stride,
                        padding: c.padding
                    ).value
                }
            }
            let plain = pass()
            let packed = reusingTransformedWeights { pass() }
            XCTAssertEqual(packed.shape, plain.shape)
            for (i, (a, b)) in zip(packed.values, plain.values).enumerated() {
                XCTAssertEqual(a, b, accuracy: 1e-4, "case \(index), element \(i)")
            }
        }
    }
}
