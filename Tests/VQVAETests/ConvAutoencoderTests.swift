import TensorCore
import VQVAE
import XCTest

final class ConvAutoencoderTests: XCTestCase {
    /// The default configuration is the `aelite` reference network of ../shared/bench, parameter for parameter.
    func testDefaultIsTheReferenceNetwork() {
        var generator = SeededGenerator(seed: 0)
        let model = ConvAutoencoder(generator: &generator)
        XCTAssertEqual(model.parameterCount, 2_521_360)
        XCTAssertEqual(model.namedParameters().count, 96)
        let names = model.namedParameters().map(\.name)
        XCTAssertEqual(names.first, "enc.1.weight")
        XCTAssertTrue(names.contains("enc.7.qkv.weight"))
        XCTAssertTrue(names.contains("dec.9.n1.weight"))
        XCTAssertEqual(names.last, "dec.12.bias")
    }

    func testShapesThroughASmallConfiguration() {
        var config = AutoencoderConfig()
        config.widths = [8, 16, 16]
        var generator = SeededGenerator(seed: 1)
        let model = ConvAutoencoder(config, generator: &generator)
        let x = Variable(Initialization.normal(shape: [2, 3, 32, 32], generator: &generator))
        let z = model.encode(x)
        XCTAssertEqual(z.shape, [2, 4, 4, 4])
        XCTAssertEqual(model.decode(z).shape, [2, 3, 32, 32])
    }
}
