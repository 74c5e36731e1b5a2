import TensorCore
import XCTest

/// The ops of the engine's first layer against PyTorch's reference values.
final class GoldenBasicOpsTests: XCTestCase {
    func testLinear() throws {
        try GoldenCase.load("linear").check(inputs: ["x", "w", "b"]) { linear($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testSiLU() throws {
        try GoldenCase.load("silu").check(inputs: ["x"]) { $0[0].silu() }
    }

    func testMSELoss() throws {
        let golden = try GoldenCase.load("mse_loss")
        try golden.check(inputs: ["x", "target"]) { mseLoss($0[0], $0[1]) }
    }
}
