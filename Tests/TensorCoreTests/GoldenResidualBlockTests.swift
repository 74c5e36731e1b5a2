import TensorCore
import XCTest

/// The whole residual block (norms, fused SiLU, time modulation, convolutions, 1×1 skip) against PyTorch.
final class GoldenResidualBlockTests: XCTestCase {
    func testResidualBlockMatchesPyTorch() throws {
        let golden = try GoldenCase.load("resblock")
        var generator = SeededGenerator(seed: 0)
        let x = try golden.tensor("x"), e = try golden.tensor("e")
        let block = ResidualBlock(
            x.shape[1], try golden.tensor("c1b").count, embeddingWidth: e.shape[1],
            groups: try golden.setting("groups"), generator: &generator)
        let names = [
            "n1.weight": "n1w", "n1.bias": "n1b", "c1.weight": "c1w", "c1.bias": "c1b",
            "n2.weight": "n2w", "n2.bias": "n2b", "c2.weight": "c2w", "c2.bias": "c2b",
            "skip.weight": "sw", "skip.bias": "sb", "t.weight": "tw", "t.bias": "tb",
        ]
        try block.loadStateDictionary(try names.mapValues { try golden.tensor($0) })
        let xv = Variable(parameter: x), ev = Variable(parameter: e)
        let y = block(xv, embedding: ev)
        assertClose(y.value, try golden.tensor("y"), "resblock y", tolerance: 1e-4)
        y.backward(seed: try golden.tensor("gy"))
        assertClose(xv.grad!, try golden.tensor("dx"), "resblock dx", tolerance: 1e-4)
        assertClose(ev.grad!, try golden.tensor("de"), "resblock de", tolerance: 1e-4)
        for (name, variable) in block.namedParameters() {
            assertClose(variable.grad!, try golden.tensor("d" + names[name]!), "resblock d\(name)", tolerance: 1e-4)
        }
    }
}
