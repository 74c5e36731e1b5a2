import TensorCore
import XCTest

final class ArithmeticTests: XCTestCase {
    func testBroadcastAddMatchesExplicitLoops() {
        let a = randomTensor([2, 3, 4, 5], seed: 1)
        let b = randomTensor([1, 3, 1, 1], seed: 2)
        let y = (Variable(a) + Variable(b)).value
        XCTAssertEqual(y.shape, [2, 3, 4, 5])
        for n in 0..<2 {
            for c in 0..<3 {
                for i in 0..<20 {
                    let k = (n * 3 + c) * 20 + i
                    XCTAssertEqual(y[flat: k], a[flat: k] + b[flat: c], accuracy: 1e-6)
                }
            }
        }
    }

    func testConcatenatingRowsFollowsTheFirstAxis() {
        let a = randomTensor([2, 3, 2], seed: 1), b = randomTensor([1, 3, 2], seed: 2)
        let batch = Tensor.concatenatingRows([a, b])
        XCTAssertEqual(batch.shape, [3, 3, 2])
        XCTAssertEqual(batch.values, a.values + b.values)
        XCTAssertEqual(Tensor.concatenatingRows([b]), b)
    }

    func testIncompatibleShapesAreRejected() {
        XCTAssertNil(BroadcastPlan([2, 3], [4, 3]))
        XCTAssertEqual(BroadcastPlan([2, 1, 5], [3, 1])?.outputShape, [2, 3, 5])
    }

    func testBinaryGradientsWithBroadcasting() {
        let shapes: [([Int], [Int])] = [
            ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [1, 3, 1, 1]),
            ([2, 3, 4, 5], [2, 3, 1, 1]), ([3, 1], [1, 4]), ([5], [2, 5]),
        ]
        for (i, (sa, sb)) in shapes.enumerated() {
            let a = randomTensor(sa, seed: UInt64(10 + i)), b = randomTensor(sb, seed: UInt64(20 + i))
            assertGradientsMatch([a, b]) { $0[0] + $0[1] }
            assertGradientsMatch([a, b]) { $0[0] - $0[1] }
            assertGradientsMatch([a, b]) { $0[0] * $0[1] }
        }
    }

    func testGradientOfTensorUsedTwiceAccumulates() {
        let x = Variable(parameter: Tensor(shape: [3], values: [1, 2, 3]))
        let y = (x * x + x).sum()  // d/dx = 2x + 1
        y.backward()
        XCTAssertEqual(x.grad?.values, [3, 5, 7])
    }

    func testNoGradModeRecordsNothing() {
        let x = Variable(parameter: Tensor(shape: [2], values: [1, 2]))
        let y = withoutGradients { (x * x).sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertEqual(y.value.scalarValue, 5)
    }

    func testReductionsAndLoss() {
        let a = randomTensor([3, 4], seed: 3), b = randomTensor([3, 4], seed: 4)
        assertGradientsMatch([a]) { $0[0].sum() }
        assertGradientsMatch([a]) { $0[0].mean() }
        assertGradientsMatch([a, b]) { mseLoss($0[0], $0[1]) }
        var expected = 0.0
        for i in 0..<12 { expected += Double((a[flat: i] - b[flat: i]) * (a[flat: i] - b[flat: i])) }
        XCTAssertEqual(Double(mseLoss(Variable(a), Variable(b)).value.scalarValue), expected / 12, accuracy: 1e-5)
    }

    func testLinearAndActivationGradients() {
        let x = randomTensor([3, 5], seed: 5), w = randomTensor([4, 5], seed: 6), b = randomTensor([4], seed: 7)
        assertGradientsMatch([x, w, b]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        let z = randomTensor([2, 7], seed: 8, scale: 2)
        assertGradientsMatch([z], epsilon: 1e-3) { $0[0].silu() }
        assertGradientsMatch([z], epsilon: 1e-3) { $0[0].sigmoid() }
        assertGradientsMatch([z], epsilon: 1e-3) { $0[0].tanh() }
    }

    func testModuleNamesParametersInRegistrationOrder() {
        final class Block: Module {
            let first: Linear, second: Linear
            init(generator: inout SeededGenerator) {
                first = Linear(3, 4, generator: &generator)
                second = Linear(4, 2, bias: false, generator: &generator)
                super.init()
                register(first, as: "first")
                register(second, as: "second")
            }
        }
        var generator = SeededGenerator(seed: 1)
        let block = Block(generator: &generator)
        XCTAssertEqual(
            block.namedParameters(prefix: "net.").map(\.name),
            ["net.first.weight", "net.first.bias", "net.second.weight"])
        XCTAssertEqual(block.parameterCount, 3 * 4 + 4 + 8)
        XCTAssertThrowsError(try block.loadStateDictionary(["first.weight": Tensor(zeros: [4, 3])]))
    }
}
