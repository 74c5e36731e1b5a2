import Foundation
import TensorCore
import XCTest

final class EmbeddingTests: XCTestCase {
    func testGoldenEmbedding() throws {
        let golden = try GoldenCase.load("embedding")
        let ids = try golden.integers("idx")
        try golden.check(inputs: ["w"]) { embedding(ids, table: $0[0]) }
    }

    func testRepeatedIdsAccumulate() {
        let table = Variable(parameter: randomTensor([4, 3], seed: 1))
        let y = embedding([2, 0, 2, 2], table: table)
        XCTAssertEqual(Array(y.value.values[0..<3]), Array(table.value.values[6..<9]))
        y.backward(seed: Tensor(shape: [4, 3], repeating: 1))
        XCTAssertEqual(table.grad?.values, [1, 1, 1, 0, 0, 0, 3, 3, 3, 0, 0, 0])
        assertGradientsMatch([randomTensor([5, 2], seed: 2)]) { embedding([4, 1, 4, 0], table: $0[0]) }
    }

    func testModuleInitialisation() {
        var generator = SeededGenerator(seed: 3)
        let module = Embedding(count: 103, dimension: 64, generator: &generator)
        XCTAssertEqual(module.namedParameters().map(\.name), ["weight"])
        XCTAssertEqual(module.weight.shape, [103, 64])
        let w = module.weight.value
        let mean = w.sum() / Double(w.count), variance = w.squaredNorm() / Double(w.count) - mean * mean
        XCTAssertEqual(mean, 0, accuracy: 0.05)
        XCTAssertEqual(variance, 1, accuracy: 0.1)  // N(0, 1), as nn.Embedding
        XCTAssertEqual(module([102, 0]).shape, [2, 64])
    }

    /// The reference formula evaluated in Double: sin first, then cos.
    func testSinusoidalTimeEmbedding() {
        let t: [Float] = [0, 0.25, 0.999, 0.5]
        let dimension = 32, half = 16
        let e = sinusoidalTimeEmbedding(t, dimension: dimension)
        XCTAssertEqual(e.shape, [4, 32])
        for (row, time) in t.enumerated() {
            for i in 0..<half {
                let f = Foundation.exp(-Foundation.log(10_000.0) * Double(i) / Double(half))
                let a = Double(time) * 1000 * f
                // Angles reach 1000 rad, where float rounding of the angle alone is ~3e-5.
                XCTAssertEqual(Double(e[flat: row * dimension + i]), sin(a), accuracy: 2e-4)
                XCTAssertEqual(Double(e[flat: row * dimension + half + i]), cos(a), accuracy: 2e-4)
            }
        }
        XCTAssertEqual(e[flat: 0], 0)
        XCTAssertEqual(e[flat: half], 1)
        let custom = sinusoidalTimeEmbedding([2], dimension: 4, timeScale: 1, maxPeriod: 100)
        XCTAssertEqual(custom.values[0], Float(sin(2.0)), accuracy: 1e-6)
        XCTAssertEqual(custom.values[1], Float(sin(2.0 / 10)), accuracy: 1e-6)  // f₁ = 100^(−1/2)
        XCTAssertEqual(custom.values[3], Float(cos(2.0 / 10)), accuracy: 1e-6)
    }
}
