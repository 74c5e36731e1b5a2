import TensorCore
import XCTest

/// Resampling and channel ops: exact values on small cases, finite differences on odd shapes.
final class SpatialGradientTests: XCTestCase {
    func testUpsampleAndPoolValues() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        XCTAssertEqual(
            upsampleNearest2x(Variable(x)).value.values,
            [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        // Average pooling of a 3×5 plane drops the last row and column, as PyTorch does.
        let z = Tensor(shape: [1, 1, 3, 5], values: (0..<15).map(Float.init))
        XCTAssertEqual(averagePool2x(Variable(z)).value.values, [3, 5])
        // Pooling undoes upsampling exactly.
        let r = randomTensor([2, 3, 5, 7], seed: 1)
        XCTAssertEqual(averagePool2x(upsampleNearest2x(Variable(r))).value, r)
    }

    func testResamplingGradients() {
        for shape in [[1, 2, 3, 5], [3, 1, 4, 4], [2, 3, 7, 6]] {
            let x = randomTensor(shape, seed: UInt64(shape.reduce(0, +)))
            assertGradientsMatch([x]) { upsampleNearest2x($0[0]) }
            assertGradientsMatch([x]) { averagePool2x($0[0]) }
        }
    }

    func testPixelShuffleRoundTripAndGradients() {
        for (shape, r) in [([2, 12, 3, 5], 2), ([1, 18, 2, 3], 3), ([3, 4, 5, 1], 1)] {
            let x = randomTensor(shape, seed: UInt64(r * 7))
            let wide = pixelShuffle(Variable(x), factor: r)
            XCTAssertEqual(wide.shape, [shape[0], shape[1] / (r * r), shape[2] * r, shape[3] * r])
            XCTAssertEqual(pixelUnshuffle(wide, factor: r).value, x)
            assertGradientsMatch([x]) { pixelShuffle($0[0], factor: r) }
            assertGradientsMatch([wide.value]) { pixelUnshuffle($0[0], factor: r) }
        }
        // PyTorch's order: deep channel c·r² + i·r + j is the sub-pixel (i, j) of wide channel c.
        let deep = Tensor(shape: [1, 4, 1, 1], values: [10, 11, 12, 13])
        XCTAssertEqual(pixelShuffle(Variable(deep), factor: 2).value.values, [10, 11, 12, 13])
        let two = Tensor(shape: [1, 8, 1, 2], values: (0..<16).map(Float.init))
        XCTAssertEqual(
            pixelShuffle(Variable(two), factor: 2).value.values,
            [0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15])
    }

    func testConcatAndSplitChannels() {
        let a = randomTensor([3, 2, 3, 5], seed: 1), b = randomTensor([3, 1, 3, 5], seed: 2)
        let c = randomTensor([3, 4, 3, 5], seed: 3)
        let joined = concatChannels([Variable(a), Variable(b), Variable(c)])
        XCTAssertEqual(joined.shape, [3, 7, 3, 5])
        let parts = splitChannels(joined, sizes: [2, 1, 4])
        XCTAssertEqual(parts.map(\.value), [a, b, c])
        assertGradientsMatch([a, b, c]) { concatChannels($0) }
        // Each part of a split used with its own weight: the gradients land in the right channels.
        assertGradientsMatch([joined.value]) { v in
            let p = splitChannels(v[0], sizes: [2, 1, 4])
            return concatChannels([p[2], p[0]]) * concatChannels([p[2], p[0]])
        }
        assertGradientsMatch([joined.value]) { splitChannels($0[0], sizes: [3, 0, 4])[2] }
        // Rank 2 (a [N, 2C] projection chunked into scale and shift).
        let e = randomTensor([4, 6], seed: 4)
        assertGradientsMatch([e]) { v in
            let halves = splitChannels(v[0], sizes: [3, 3])
            return halves[0] * halves[1]
        }
    }
}
