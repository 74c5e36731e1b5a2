import TensorCore
import XCTest

final class AttentionTests: XCTestCase {
    func testGoldenAttention() throws {
        let golden = try GoldenCase.load("attention")
        let scale = try golden.floatSetting("scale")
        try golden.check(inputs: ["q", "k", "v"]) {
            scaledDotProductAttention(q: $0[0], k: $0[1], v: $0[2], scale: scale)
        }
        // The default scale is 1/√D, which is what the golden case used.
        try golden.check(inputs: ["q", "k", "v"]) { scaledDotProductAttention(q: $0[0], k: $0[1], v: $0[2]) }
    }

    func testGradientsIncludingOneTokenAndCrossAttention() {
        // (q shape, key tokens): odd sizes, a single token, more keys than queries, one problem.
        let cases: [([Int], Int)] = [([2, 3, 5, 4], 5), ([1, 2, 1, 3], 1), ([2, 1, 3, 5], 7), ([1, 1, 6, 2], 6)]
        for (i, (qs, tk)) in cases.enumerated() {
            let ks = [qs[0], qs[1], tk, qs[3]]
            let inputs = [
                randomTensor(qs, seed: UInt64(i * 3)), randomTensor(ks, seed: UInt64(i * 3 + 1)),
                randomTensor(ks, seed: UInt64(i * 3 + 2)),
            ]
            assertGradientsMatch(inputs, epsilon: 1e-2) {
                scaledDotProductAttention(q: $0[0], k: $0[1], v: $0[2], scale: 0.7)
            }
        }
    }

    func testMatchesSoftmaxComposition() {
        // softmax(q kᵀ s) v from the separate pieces, for one (batch, head).
        let q = randomTensor([1, 1, 6, 3], seed: 20), k = randomTensor([1, 1, 4, 3], seed: 21)
        let v = randomTensor([1, 1, 4, 3], seed: 22)
        let y = scaledDotProductAttention(q: Variable(q), k: Variable(k), v: Variable(v), scale: 0.5).value
        for i in 0..<6 {
            var logits = [Float](repeating: 0, count: 4)
            for j in 0..<4 { for d in 0..<3 { logits[j] += q[flat: i * 3 + d] * k[flat: j * 3 + d] * 0.5 } }
            let p = softmax(lastDimensionOf: Variable(Tensor(shape: [1, 4], values: logits))).value
            for d in 0..<3 {
                var expected: Float = 0
                for j in 0..<4 { expected += p[flat: j] * v[flat: j * 3 + d] }
                XCTAssertEqual(y[flat: i * 3 + d], expected, accuracy: 1e-5)
            }
        }
    }

    /// The NCHW form equals reshaping to [B, 3, heads, D, T], transposing to [B, heads, T, D],
    /// attending, and transposing back.
    func testSpatialSelfAttentionEqualsPermutedComposition() {
        for (b, heads, d, h, w) in [(2, 2, 3, 3, 5), (1, 1, 4, 1, 1), (3, 1, 8, 4, 4)] {
            let c = heads * d, t = h * w
            let qkv = randomTensor([b, 3 * c, h, w], seed: UInt64(c + t))
            assertSameValuesAndGradients([qkv]) {
                spatialSelfAttention($0[0], heads: heads)
            } reference: { v in
                let parts = v[0].reshaped([b, 3, heads, d, t]).permuted([1, 0, 2, 4, 3])  // [3, B, heads, T, D]
                let stride = b * heads * t * d
                func part(_ i: Int) -> Variable {
                    selectRows(parts, start: i * stride, count: stride, shape: [b, heads, t, d])
                }
                let a = scaledDotProductAttention(q: part(0), k: part(1), v: part(2))
                return a.transposeLastTwo().reshaped([b, c, h, w])
            }
        }
        assertGradientsMatch([randomTensor([2, 6, 2, 3], seed: 30)]) { spatialSelfAttention($0[0], heads: 2) }
    }

    func testLargeLogitsStayFinite() {
        let q = Tensor(shape: [1, 1, 2, 1], values: [100, -100]),
            k = Tensor(shape: [1, 1, 3, 1], values: [100, 0, -100])
        let v = Tensor(shape: [1, 1, 3, 1], values: [1, 2, 3])
        let y = scaledDotProductAttention(q: Variable(q), k: Variable(k), v: Variable(v), scale: 1).value
        XCTAssertEqual(y.values, [1, 3])
    }
}

/// A contiguous slice of a flattened variable as a new variable (test helper: the tensor core has
/// no slicing op, so it is built from a masked sum through public ops).
private func selectRows(_ x: Variable, start: Int, count: Int, shape: [Int]) -> Variable {
    // Multiply by a 0/1 mask and sum the chunks: gradients flow only to the selected range.
    let total = x.value.count
    let flat = x.reshaped([total / count, count])
    var mask = [Float](repeating: 0, count: total / count)
    mask[start / count] = 1
    let selector = Variable(Tensor(shape: [1, total / count], values: mask))
    return linear(selector, weight: flat.transposeLastTwo(), bias: nil).reshaped(shape)
}
