import Foundation
import TensorCore
import XCTest

/// Speed of the optimizer on a parameter set of 26.8 M floats (the size of a mid-sized UNet):
/// conv-like [256,256,3,3] tensors, matrices and many small biases.
/// Runs only with FMF_BENCHMARK=1: `FMF_BENCHMARK=1 swift test -c release --filter OptimBenchmarkTests`.
final class OptimBenchmarkTests: XCTestCase {
    func testAdamWStepSpeed() throws {
        guard ProcessInfo.processInfo.environment["FMF_BENCHMARK"] == "1" else {
            throw XCTSkip("benchmark: set FMF_BENCHMARK=1 to run")
        }
        var shapes = Array(repeating: [256, 256, 3, 3], count: 40) + Array(repeating: [512, 256], count: 20)
        shapes += Array(repeating: [256], count: 300) + [[497, 1024]]
        var generator = SeededGenerator(seed: 1)
        let parameters: [NamedParameter] = shapes.enumerated().map { index, shape in
            let variable = Variable(parameter: Initialization.uniform(shape: shape, low: -0.05, high: 0.05,
                                                                      generator: &generator))
            variable.grad = Initialization.uniform(shape: shape, low: -1, high: 1, generator: &generator)
            return ("p\(index)", variable)
        }
        let count = parameters.reduce(0) { $0 + $1.variable.value.count }
        let optimizer = AdamW(parameters: parameters, learningRate: 1e-4)
        let ema = ExponentialMovingAverage(parameters: parameters, decay: 0.999)
        let before = parameters[0].variable.value

        func seconds(_ repeats: Int, _ body: () -> Void) -> Double {
            body()  // warm-up: first-touch allocation of the moments
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { body() }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repeats)
        }
        let step = seconds(10) { optimizer.step() }
        let clip = seconds(10) { optimizer.clipGradientNorm(maxNorm: 1e9) }
        let average = seconds(10) { ema.update(step: 1000) }
        func report(_ name: String, _ time: Double, bytesPerElement: Int) {
            let rate = Double(count * bytesPerElement) / time / 1e9
            print(String(format: "%@: %.1f ms per call, %.1f GB/s (%d floats, %d threads)",
                         name, time * 1e3, rate, count, ComputeThreads.count))
        }
        report("AdamW step", step, bytesPerElement: 28)  // reads p, g, m, v; writes p, m, v
        report("gradient norm", clip, bytesPerElement: 4)
        report("EMA update", average, bytesPerElement: 12)

        XCTAssertEqual(count, 26_800_128)
        XCTAssertNotEqual(parameters[0].variable.value, before)
        XCTAssertTrue(parameters[0].variable.value.values.allSatisfy(\.isFinite))
    }
}
