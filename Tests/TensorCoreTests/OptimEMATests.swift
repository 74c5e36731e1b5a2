import TensorCore
import XCTest

final class OptimEMATests: XCTestCase {
    func testWarmupDecay() {
        let ema = ExponentialMovingAverage(parameters: [], decay: 0.999)
        XCTAssertEqual(ema.decay(at: 0), 0.1, accuracy: 1e-15)
        XCTAssertEqual(ema.decay(at: 10), 11.0 / 20.0, accuracy: 1e-15)
        XCTAssertEqual(ema.decay(at: 100_000), 0.999)
        XCTAssertEqual(ExponentialMovingAverage(parameters: [], decay: 0.9, warmup: false).decay(at: 0), 0.9)
    }

    /// shadow ← shadow + (1 − d)(p − shadow), checked step by step against the formula.
    func testUpdateFollowsFormula() {
        let parameter = Variable(parameter: Tensor(shape: [2], values: [0, 10]))
        let ema = ExponentialMovingAverage(parameters: [("p", parameter)], decay: 0.5)
        parameter.value = Tensor(shape: [2], values: [1, 20])
        ema.update(step: 0)  // d = min(0.5, 0.1) = 0.1
        XCTAssertEqual(ema.shadow[0].values[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(ema.shadow[0].values[1], 19, accuracy: 1e-5)
        parameter.value = Tensor(shape: [2], values: [3, 30])
        ema.update(step: 100)  // d = 0.5
        XCTAssertEqual(ema.shadow[0].values[0], 1.95, accuracy: 1e-6)
        XCTAssertEqual(ema.shadow[0].values[1], 24.5, accuracy: 1e-5)
    }

    /// The shadow is a separate copy: an in-place optimizer step must not move it.
    func testShadowIsIndependentOfInPlaceUpdates() {
        let parameter = Variable(parameter: Tensor(shape: [3], values: [1, 2, 3]))
        let ema = ExponentialMovingAverage(parameters: [("p", parameter)])
        let optimizer = AdamW(parameters: [("p", parameter)], learningRate: 0.1)
        parameter.grad = Tensor(shape: [3], values: [1, 1, 1])
        optimizer.step()
        XCTAssertEqual(ema.shadow[0], Tensor(shape: [3], values: [1, 2, 3]))
    }

    func testSwapInAndBack() throws {
        let parameter = Variable(parameter: Tensor(shape: [2], values: [1, 1]))
        let ema = ExponentialMovingAverage(parameters: [("p", parameter)], decay: 0.9, warmup: false)
        parameter.value = Tensor(shape: [2], values: [11, 11])
        ema.update(step: 0)  // shadow = 1 + 0.1·10 = 2
        let seen = ema.withAveragedParameters { parameter.value.values }
        XCTAssertEqual(seen[0], 2, accuracy: 1e-6)
        XCTAssertEqual(parameter.value, Tensor(shape: [2], values: [11, 11]))
        XCTAssertFalse(ema.isSwapped)

        ema.swapParameters()
        XCTAssertTrue(ema.isSwapped)
        XCTAssertEqual(ema.averagesByName()["p"]!.values[0], 2, accuracy: 1e-6)
        ema.swapParameters()
        XCTAssertEqual(parameter.value.values, [11, 11])

        struct Failure: Error {}
        XCTAssertThrowsError(try ema.withAveragedParameters { throw Failure() })
        XCTAssertEqual(parameter.value.values, [11, 11], "swapped back after a throwing body")
    }

    func testCopyAveragesToAnotherModel() throws {
        let parameter = Variable(parameter: Tensor(shape: [2], values: [4, 5]))
        let ema = ExponentialMovingAverage(parameters: [("layer.weight", parameter)])
        let target = Variable(parameter: Tensor(zeros: [2]))
        try ema.copyAverages(to: [("layer.weight", target)])
        XCTAssertEqual(target.value.values, [4, 5])

        let misshapen = Variable(parameter: Tensor(zeros: [3]))
        XCTAssertThrowsError(try ema.copyAverages(to: [("layer.weight", misshapen)])) { error in
            XCTAssertTrue("\(error)".contains("layer.weight has shape [2]"), "\(error)")
        }
        XCTAssertThrowsError(try ema.copyAverages(to: [("other", target)])) { error in
            XCTAssertTrue("\(error)".contains("missing tensor for other"), "\(error)")
        }
        XCTAssertEqual(misshapen.value.values, [0, 0, 0])
    }
}
