import LatentFlow
import TensorCore
import XCTest

/// A stand-in network: the velocity of sample i is (class id + 1) everywhere (the null class
/// gives nullClass + 1); it records the batches it sees.
final class ConstantPerClassModel: ConditionalVelocityModel {
    let nullClass = 9
    var batchSizes: [Int] = []

    func velocity(_ x: Tensor, times: [Float], classes: [Int]) -> Tensor {
        batchSizes.append(classes.count)
        let per = x.count / x.shape[0]
        let out = Tensor(uninitializedShape: x.shape)
        for (i, c) in classes.enumerated() {
            for j in 0..<per { out.unsafePointer[i * per + j] = Float(c + 1) }
        }
        return out
    }
}

final class GuidanceTests: XCTestCase {
    func testGuidanceCombinesConditionalAndUnconditionalInOneBatch() {
        let model = ConstantPerClassModel()
        var field = GuidedVelocity(model: model, classes: [0, 3], scale: 2.5)
        let v = field(Tensor(zeros: [2, 1, 2, 2]), 0.3)
        XCTAssertEqual(model.batchSizes, [4], "conditional and unconditional together")
        // v = u + w(c − u) with u = 10: sample 0: 10 + 2.5·(1 − 10); sample 1: 10 + 2.5·(4 − 10).
        XCTAssertEqual(v.values[0], 10 + 2.5 * (1 - 10), accuracy: 1e-5)
        XCTAssertEqual(v.values[4], 10 + 2.5 * (4 - 10), accuracy: 1e-5)
        XCTAssertEqual(field.passes, 2, "one batch, but two passes over the samples")
        XCTAssertEqual(field.guidedEvaluations, 1)
    }

    func testScaleOneIsTheConditionalModelAndZeroTheUnconditional() {
        let model = ConstantPerClassModel()
        var conditional = GuidedVelocity(model: model, classes: [2, 5], scale: 1)
        XCTAssertEqual(conditional(Tensor(zeros: [2, 1, 1, 1]), 0.5).values, [3, 6])
        var unconditional = GuidedVelocity(model: model, classes: [2, 5], scale: 0)
        XCTAssertEqual(unconditional(Tensor(zeros: [2, 1, 1, 1]), 0.5).values, [10, 10])
        XCTAssertEqual(model.batchSizes, [2, 2], "one pass of N samples each")
    }

    /// Outside its interval the guidance is off: the conditional model alone, one pass of N.
    func testGuidanceIntervalLeavesTheConditionalModelOutsideIt() {
        let model = ConstantPerClassModel()
        var field = GuidedVelocity(model: model, classes: [0, 3], scale: 2.5, interval: 0.25...0.75)
        let x = Tensor(zeros: [2, 1, 1, 1])
        XCTAssertEqual(field(x, 0.1).values, [1, 4], "before the interval")
        XCTAssertEqual(field(x, 0.5).values[0], 10 + 2.5 * (1 - 10), accuracy: 1e-5)
        XCTAssertEqual(field(x, 0.9).values, [1, 4], "after it")
        XCTAssertEqual(field(x, 0.75).values[1], 10 + 2.5 * (4 - 10), accuracy: 1e-5, "its ends are inside")
        XCTAssertEqual(model.batchSizes, [2, 4, 2, 4])
    }

    func testChunkedEvaluationMatchesOnePass() {
        let model = ConstantPerClassModel()
        var whole = GuidedVelocity(model: model, classes: [0, 1, 2, 3, 4], scale: 3)
        var chunked = GuidedVelocity(model: model, classes: [0, 1, 2, 3, 4], scale: 3, maximumBatch: 4)
        let x = Tensor(zeros: [5, 1, 2, 1])
        XCTAssertEqual(whole(x, 0.1), chunked(x, 0.1))
        XCTAssertEqual(model.batchSizes, [10, 4, 4, 2])
        XCTAssertEqual(chunked.passes, 2, "chunking does not change the passes over the samples")
    }
}
