import TensorCore
import XCTest

/// conv2d on random shapes: against a direct-loop reference (every element, every kernel path)
/// and against finite differences.
final class ConvGradientTests: XCTestCase {
    /// (batch, Cin, H, W, Cout, kernel, stride, padding): odd sizes, stride 2 with odd H/W,
    /// kernels 1/3/5, padding 0/1/2, batches 1, 2 and 3, strided and padded 1×1.
    static let shapes: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (1, 3, 7, 5, 4, 3, 1, 1),
        (3, 2, 9, 7, 5, 3, 2, 1),
        (3, 4, 6, 6, 3, 1, 1, 0),
        (1, 2, 11, 9, 3, 5, 2, 2),
        (3, 3, 5, 8, 2, 5, 1, 2),
        (1, 5, 7, 7, 6, 3, 2, 0),
        (3, 2, 5, 5, 3, 1, 2, 1),
        (1, 3, 4, 6, 2, 3, 1, 2),
        // Wide rows: the vectorised Winograd loops (8 tiles at a time) plus a remainder.
        (2, 3, 6, 19, 4, 3, 1, 1),
        (1, 2, 5, 37, 3, 3, 1, 0),
        (2, 2, 3, 18, 3, 3, 1, 2),
        // Small images under F(4×4): 7 tiles across (the 4- and 2-lane loops and one leftover),
        // exactly 4 (a 16×16 latent) and exactly 2 (8×8).
        (2, 3, 5, 26, 3, 3, 1, 1),
        (2, 2, 16, 16, 3, 3, 1, 1),
        (3, 2, 8, 8, 2, 3, 1, 1),
        // Stride 2 on wide rows: the vectorised gather and scatter, with remainders.
        (2, 2, 5, 41, 3, 3, 2, 1),
        (1, 2, 4, 36, 2, 1, 2, 0),
    ]

    func testMatchesDirectLoopsOnEveryPath() {
        for (index, s) in Self.shapes.enumerated() {
            let (n, cin, h, w, cout, k, stride, padding) = s
            let seed = UInt64(100 + 10 * index)
            let x = randomTensor([n, cin, h, w], seed: seed), wt = randomTensor([cout, cin, k, k], seed: seed + 1)
            let b = randomTensor([cout], seed: seed + 2)
            let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
            let gy = randomTensor([n, cout, ho, wo], seed: seed + 3)
            let reference = ReferenceConvolution(x: x, w: wt, b: b, gy: gy, stride: stride, padding: padding)
            for setting in ConvTuningSetting.all {
                setting.apply {
                    let vx = Variable(parameter: x), vw = Variable(parameter: wt), vb = Variable(parameter: b)
                    let y = conv2d(vx, weight: vw, bias: vb, stride: stride, padding: padding)
                    y.backward(seed: gy)
                    let what = "shape \(s), \(setting.name)"
                    assertClose(y.value, reference.y, "\(what): y", tolerance: 1e-5)
                    assertClose(vx.grad!, reference.dx, "\(what): dx", tolerance: 1e-5)
                    assertClose(vw.grad!, reference.dw, "\(what): dw", tolerance: 1e-5)
                    assertClose(vb.grad!, reference.db, "\(what): db", tolerance: 1e-5)
                }
            }
        }
    }

    /// conv2d(…, residual: r) is conv2d(…) + r to the bit on every kernel path, in training and
    /// in sampling (packed weights), and passes the output gradient to r unchanged.
    func testResidualSumOnEveryPath() {
        for (index, s) in Self.shapes.enumerated() {
            let (n, cin, h, w, cout, k, stride, padding) = s
            let seed = UInt64(900 + 10 * index)
            let x = randomTensor([n, cin, h, w], seed: seed), wt = randomTensor([cout, cin, k, k], seed: seed + 1)
            let b = randomTensor([cout], seed: seed + 2)
            let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
            let r = randomTensor([n, cout, ho, wo], seed: seed + 3),
                gy = randomTensor([n, cout, ho, wo], seed: seed + 4)
            for setting in ConvTuningSetting.all {
                setting.apply {
                    let what = "shape \(s), \(setting.name)"
                    let vx = Variable(parameter: x), vr = Variable(parameter: r)
                    let fused = conv2d(
                        vx, weight: Variable(wt), bias: Variable(b), stride: stride, padding: padding,
                        residual: vr)
                    let separate =
                        conv2d(
                            Variable(x), weight: Variable(wt), bias: Variable(b), stride: stride,
                            padding: padding) + Variable(r)
                    XCTAssertEqual(fused.value.values, separate.value.values, "\(what): y")
                    fused.backward(seed: gy)
                    XCTAssertEqual(vr.grad?.values, gy.values, "\(what): the residual's gradient")
                    let sampled = reusingTransformedWeights {
                        withoutGradients {
                            (
                                conv2d(
                                    Variable(x), weight: Variable(wt), bias: Variable(b), stride: stride,
                                    padding: padding,
                                    residual: Variable(r)
                                ).value,
                                (conv2d(
                                    Variable(x), weight: Variable(wt), bias: Variable(b), stride: stride,
                                    padding: padding) + Variable(r)).value
                            )
                        }
                    }
                    XCTAssertEqual(sampled.0.values, sampled.1.values, "\(what): y with packed weights")
                }
            }
        }
        let x = randomTensor([2, 3, 6, 5], seed: 1), wt = randomTensor([4, 3, 3, 3], seed: 2)
        assertGradientsMatch([x, wt, randomTensor([2, 4, 6, 5], seed: 3)]) {
            conv2d($0[0], weight: $0[1], bias: nil, padding: 1, residual: $0[2])
        }
    }

    func testFiniteDifferences() {
        for (index, s) in Self.shapes.enumerated() {
            let (n, cin, h, w, cout, k, stride, padding) = s
            let seed = UInt64(500 + 10 * index)
            let inputs = [
                randomTensor([n, cin, h, w], seed: seed), randomTensor([cout, cin, k, k], seed: seed + 1),
                randomTensor([cout], seed: seed + 2),
            ]
            assertGradientsMatch(inputs, epsilon: 1e-2, tolerance: 1e-2) {
                conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding)
            }
        }
    }

    func testWithoutBiasAndWithFrozenInputs() {
        let x = randomTensor([3, 3, 7, 9], seed: 1), w = randomTensor([4, 3, 3, 3], seed: 2)
        assertGradientsMatch([x, w]) { conv2d($0[0], weight: $0[1], bias: nil, stride: 2, padding: 1) }
        // Only the weight needs a gradient (a first layer): dx is neither computed nor required.
        let vx = Variable(x), vw = Variable(parameter: w)
        let y = conv2d(vx, weight: vw, bias: nil, padding: 1)
        y.backward(seed: Tensor(shape: y.shape, repeating: 1))
        XCTAssertNil(vx.grad)
        let reference = ReferenceConvolution(
            x: x, w: w, b: Tensor(zeros: [4]), gy: Tensor(shape: y.shape, repeating: 1),
            stride: 1, padding: 1)
        assertClose(vw.grad!, reference.dw, "dw", tolerance: 1e-5)
    }

    func testOutputSizeFollowsPyTorchRule() {
        let cases: [(h: Int, k: Int, s: Int, p: Int)] = [
            (64, 3, 2, 1), (9, 3, 2, 1), (10, 3, 2, 1), (5, 5, 1, 0),
            (7, 1, 2, 0), (4, 3, 3, 2),
        ]
        for c in cases {
            let y = withoutGradients {
                conv2d(
                    Variable(Tensor(zeros: [1, 1, c.h, c.h])), weight: Variable(Tensor(zeros: [1, 1, c.k, c.k])),
                    bias: nil, stride: c.s, padding: c.p)
            }
            let expected = (c.h + 2 * c.p - c.k) / c.s + 1
            XCTAssertEqual(y.shape, [1, 1, expected, expected], "\(c)")
        }
    }

    func testModuleParametersAndInitialisation() {
        var generator = SeededGenerator(seed: 3)
        let conv = Conv2d(8, 16, kernelSize: 3, stride: 2, padding: 1, generator: &generator)
        XCTAssertEqual(conv.namedParameters().map(\.name), ["weight", "bias"])
        XCTAssertEqual(conv.weight.shape, [16, 8, 3, 3])
        XCTAssertEqual(conv.bias?.shape, [16])
        let bound = 1 / Float(8 * 3 * 3).squareRoot()
        for t in [conv.weight.value, conv.bias!.value] {
            let v = t.values
            XCTAssertLessThanOrEqual(v.map(abs).max()!, bound)
            XCTAssertGreaterThan(v.map(abs).max()!, 0.8 * bound, "values should fill the PyTorch range ±\(bound)")
        }
        let y = conv(Variable(randomTensor([2, 8, 9, 9], seed: 4)))
        XCTAssertEqual(y.shape, [2, 16, 5, 5])
        let plain = Conv2d(4, 4, kernelSize: 1, bias: false, generator: &generator)
        XCTAssertEqual(plain.namedParameters().map(\.name), ["weight"])
        XCTAssertEqual(plain.parameterCount, 16)
    }
}
