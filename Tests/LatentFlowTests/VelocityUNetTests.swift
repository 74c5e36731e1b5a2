import LatentFlow
import TensorCore
import XCTest

final class VelocityUNetTests: XCTestCase {
    /// The two presets are the reference UNets of ../shared/bench, parameter for parameter.
    func testPresetsAreTheReferenceNetworks() {
        var generator = SeededGenerator(seed: 0)
        let latent = VelocityUNet(.latent, generator: &generator)
        XCTAssertEqual(latent.parameterCount, 7_308_228)
        XCTAssertEqual(latent.namedParameters().count, 275)
        let pixel = VelocityUNet(.pixel, generator: &generator)
        XCTAssertEqual(pixel.parameterCount, 26_765_091)
        XCTAssertEqual(pixel.namedParameters().count, 399)
        let names = Set(latent.namedParameters().map(\.name))
        for name in [
            "tmlp.0.weight", "tmlp.2.bias", "cemb.weight", "inp.weight", "downs.0.n1.weight",
            "mid.1.qkv.weight", "out.0.weight", "out.2.bias",
        ] {
            XCTAssertTrue(names.contains(name), name)
        }
    }

    func testVelocityHasTheInputShape() {
        var generator = SeededGenerator(seed: 2)
        let model = VelocityUNet(
            UNetConfig(channels: 4, base: 8, multipliers: [1, 2], classCount: 3),
            generator: &generator)
        let x = Variable(Initialization.normal(shape: [3, 4, 8, 8], generator: &generator))
        let v = model(x, times: [0, 0.5, 1], classes: [0, 2, model.nullClass])
        XCTAssertEqual(v.shape, [3, 4, 8, 8])
    }
}
