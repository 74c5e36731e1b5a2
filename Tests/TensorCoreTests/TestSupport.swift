import TensorCore
import XCTest

/// Random test tensors from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Initialization.normal(shape: shape, std: scale, generator: &generator)
}

/// Asserts a finite-difference gradient check passes for every differentiable input.
func assertGradientsMatch(
    _ inputs: [Tensor], differentiable: [Bool]? = nil, epsilon: Float = 1e-2,
    tolerance: Float = 2e-2, file: StaticString = #filePath, line: UInt = #line,
    _ function: ([Variable]) -> Variable
) {
    let result = GradientCheck.run(inputs: inputs, differentiable: differentiable, epsilon: epsilon, function)
    XCTAssertLessThan(result.worst, tolerance, "\(result)", file: file, line: line)
}
