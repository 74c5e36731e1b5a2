import LatentFlow
import TensorCore
import XCTest

/// The data-parallel seam of the flow's step: the hook sees the optimizer's parameters after the
/// backward pass, and clipping and the update see what it leaves.
final class FlowGradientHookTests: XCTestCase {
    func testTheHookRunsBetweenBackwardAndClipping() throws {
        let hooked = try FlowTrainerTests.trainer()
        let plain = try FlowTrainerTests.trainer()
        var calls = 0
        hooked.gradientHook = { parameters in
            calls += 1
            XCTAssertEqual(parameters.map(\.name), hooked.optimizer.parameters.map(\.name))
            XCTAssertTrue(parameters.allSatisfy { $0.variable.grad != nil }, "called after the backward pass")
            // Doubling every gradient doubles the norm that clipping measures.
            for parameter in parameters { parameter.variable.grad = parameter.variable.grad.map { $0.scaled(2) } }
        }
        let a = try hooked.trainStep(), b = try plain.trainStep()
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(a.loss, b.loss, "the forward pass is untouched")
        XCTAssertEqual(a.gradientNorm, 2 * b.gradientNorm, accuracy: 1e-4 * b.gradientNorm)
    }
}
