import TensorCore
import XCTest

final class LossTests: XCTestCase {
    func testGoldenL1Loss() throws {
        try GoldenCase.load("l1_loss").check(inputs: ["x", "target"]) { l1Loss($0[0], $0[1]) }
    }

    func testL1AndHuberMatchDefinitions() {
        // 37 elements: not a multiple of the 8-lane vectors.
        let p = randomTensor([37], seed: 1, scale: 2), t = randomTensor([37], seed: 2)
        var l1 = 0.0, huber = 0.0
        let delta = 0.7
        for i in 0..<37 {
            let d = Double(p[flat: i] - t[flat: i])
            l1 += abs(d)
            huber += abs(d) < delta ? 0.5 * d * d : delta * (abs(d) - 0.5 * delta)
        }
        XCTAssertEqual(Double(l1Loss(Variable(p), Variable(t)).value.scalarValue), l1 / 37, accuracy: 1e-5)
        XCTAssertEqual(
            Double(huberLoss(Variable(p), Variable(t), delta: 0.7).value.scalarValue), huber / 37,
            accuracy: 1e-5)
    }

    func testGradients() {
        let p = randomTensor([3, 4, 5], seed: 3), t = randomTensor([3, 4, 5], seed: 4)
        assertGradientsMatch([p, t], epsilon: 1e-3) { l1Loss($0[0], $0[1]) }
        assertGradientsMatch([p, t], epsilon: 1e-3) { huberLoss($0[0], $0[1], delta: 0.5) }
        assertGradientsMatch([p, t], epsilon: 1e-3) { huberLoss($0[0], $0[1]) }
        // Huber with a huge delta is half the MSE; with equal inputs the L1 gradient is 0.
        assertSameValuesAndGradients([p, t]) {
            huberLoss($0[0], $0[1], delta: 100)
        } reference: {
            mseLoss($0[0], $0[1]) * 0.5
        }
        let x = Variable(parameter: p)
        l1Loss(x, Variable(p)).backward()
        XCTAssertEqual(x.grad?.values, [Float](repeating: 0, count: 60))
    }

    func testLargeInputsSumInBlocks() {
        let n = 100_003
        let p = Tensor(shape: [n], repeating: 1), t = Tensor(zeros: [n])
        XCTAssertEqual(l1Loss(Variable(p), Variable(t)).value.scalarValue, 1, accuracy: 1e-6)
        XCTAssertEqual(huberLoss(Variable(p), Variable(t), delta: 2).value.scalarValue, 0.5, accuracy: 1e-6)
    }
}
