import LatentFlow
import TensorCore
import XCTest

final class VelocityUNetZeroInitialisationTests: XCTestCase {
    /// The latent preset's residual branches end in 17 second convolutions (6 down, 2 middle,
    /// 9 up) and 11 attention output projections (4 down, 1 middle, 6 up); with the output
    /// convolution, 29 weights and 29 biases start at zero. Every other parameter keeps the value
    /// the default initialisation draws from the same seed.
    func testZeroesExactlyTheBranchOutputsAndKeepsEveryOtherDraw() {
        var generator = SeededGenerator(seed: 5)
        let reference = VelocityUNet(.latent, generator: &generator)
        generator = SeededGenerator(seed: 5)
        let zeroed = VelocityUNet(.latent, generator: &generator)
        zeroed.zeroInitialiseBranchOutputs()

        func isBranchOutput(_ name: String) -> Bool {
            name.hasPrefix("out.2.") || name.contains(".c2.") || name.contains(".o.")
        }
        let referenceValues = Dictionary(
            uniqueKeysWithValues: reference.namedParameters().map { ($0.name, $0.variable) })
        var zeroedNames: [String] = []
        for (name, variable) in zeroed.namedParameters() {
            let values = variable.value.values
            if isBranchOutput(name) {
                XCTAssertTrue(values.allSatisfy { $0 == 0 }, "\(name) is not zero")
                zeroedNames.append(name)
            } else {
                XCTAssertEqual(values, referenceValues[name]?.value.values, "\(name) changed")
            }
        }
        XCTAssertEqual(zeroedNames.count, 58, zeroedNames.joined(separator: " "))
        XCTAssertEqual(zeroedNames.filter { $0.contains(".c2.") }.count, 34)
        XCTAssertEqual(zeroedNames.filter { $0.contains(".o.") }.count, 22)
    }

    /// A zero-initialised network predicts no velocity at all, whatever its input.
    func testPredictsZeroVelocityAtFirst() {
        var generator = SeededGenerator(seed: 3)
        let network = VelocityUNet(
            UNetConfig(channels: 4, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1),
            generator: &generator)
        let x = Variable(Initialization.normal(shape: [2, 4, 8, 8], generator: &generator))
        XCTAssertFalse(network(x, times: [0.2, 0.9], classes: [1, 3]).value.values.allSatisfy { $0 == 0 })
        network.zeroInitialiseBranchOutputs()
        XCTAssertTrue(network(x, times: [0.2, 0.9], classes: [1, 3]).value.values.allSatisfy { $0 == 0 })
    }
}
