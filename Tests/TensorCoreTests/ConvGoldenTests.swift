import TensorCore
import XCTest

/// conv2d against PyTorch's reference values (../shared/golden): output and all gradients.
final class ConvGoldenTests: XCTestCase {
    private func checkConvolution(_ name: String) throws {
        let golden = try GoldenCase.load(name)
        let stride = try golden.setting("stride"), padding = try golden.setting("padding")
        try golden.check(inputs: ["x", "w", "b"]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding)
        }
    }

    func testPointwise() throws { try checkConvolution("conv2d_k1") }
    func testThreeByThreeStrideOnePaddingOne() throws { try checkConvolution("conv2d_k3_s1_p1") }
    func testThreeByThreeStrideTwoPaddingOne() throws { try checkConvolution("conv2d_k3_s2_p1") }

    /// The same cases with every kernel path forced: images side by side, row tiles, one worker.
    func testGoldenCasesUnderEveryTiling() throws {
        for setting in ConvTuningSetting.all {
            try setting.apply {
                for name in ["conv2d_k1", "conv2d_k3_s1_p1", "conv2d_k3_s2_p1"] { try checkConvolution(name) }
            }
        }
    }
}
