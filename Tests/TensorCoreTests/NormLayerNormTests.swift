import TensorCore
import XCTest

final class NormLayerNormTests: XCTestCase {
    func testMatchesDefinition() {
        let x = randomTensor([4, 3, 13], seed: 1, scale: 2).map { $0 - 1 }
        let gamma = randomTensor([13], seed: 2), beta = randomTensor([13], seed: 3)
        let y = layerNorm(Variable(x), weight: Variable(gamma), bias: Variable(beta)).value
        var worst: Double = 0
        for row in 0..<12 {
            let values = (0..<13).map { Double(x[flat: row * 13 + $0]) }
            let mean = values.reduce(0, +) / 13
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 13
            for i in 0..<13 {
                let expected =
                    (values[i] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[flat: i])
                    + Double(beta[flat: i])
                worst = max(worst, abs(expected - Double(y[flat: row * 13 + i])))
            }
        }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testGradients() {
        for (i, shape) in [[3, 7], [2, 3, 5], [1, 1], [5, 33]].enumerated() {
            let d = shape.last!
            let x = randomTensor(shape, seed: UInt64(10 + i)), gamma = randomTensor([d], seed: UInt64(20 + i))
            let beta = randomTensor([d], seed: UInt64(30 + i))
            if d > 1 {
                assertGradientsMatch([x, gamma, beta]) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
                assertGradientsMatch([x]) { layerNorm($0[0], weight: nil, bias: nil) }
            } else {
                // One feature: the output is β whatever x is.
                assertGradientsMatch([x, gamma, beta], epsilon: 1e-3) { layerNorm($0[0], weight: $0[1], bias: $0[2]) }
            }
        }
    }

    /// Many rows, so the γ/β gradient is summed from several threads' partial sums.
    func testParameterGradientsOverManyRows() {
        let rows = 3000, d = 16
        let x = randomTensor([rows, d], seed: 4)
        let module = LayerNorm(d)
        XCTAssertEqual(module.namedParameters().map(\.name), ["weight", "bias"])
        let y = module(Variable(x))
        y.backward(seed: Tensor(shape: [rows, d], repeating: 1))
        // With γ = 1 and β = 0 the output is x̂, so ∂β[i] = rows and ∂γ[i] = Σ over rows of x̂[i].
        for i in 0..<d { XCTAssertEqual(module.bias.grad![flat: i], Float(rows), accuracy: 1e-2) }
        var expected = [Double](repeating: 0, count: d)
        for r in 0..<rows { for i in 0..<d { expected[i] += Double(y.value[flat: r * d + i]) } }
        for i in 0..<d { XCTAssertEqual(Double(module.weight.grad![flat: i]), expected[i], accuracy: 1e-2) }
    }
}
