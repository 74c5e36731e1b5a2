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
}
