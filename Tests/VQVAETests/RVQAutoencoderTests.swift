import FileFormats
import Foundation
import TensorCore
import VQVAE
import XCTest

final class RVQAutoencoderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rvq-ae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// 32 px images → 4×4×4 latents, 3 levels of 16 codes, widths 8/16/16.
    static func tinyConfig() -> RVQAutoencoderConfig {
        var config = RVQAutoencoderConfig()
        config.autoencoder = AutoencoderConfig().scaled(widths: 0.125)
        config.quantizer = QuantizerConfig(levels: 3, codebookSize: 16, dimension: 4)
        config.quantizer.kmeansIterations = 3
        config.imageSize = 32
        return config
    }

    private func images(_ n: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Initialization.uniform(shape: [n, 3, 32, 32], low: -1, high: 1, generator: &generator)
    }

    /// A model whose codebooks have been through one training pass.
    private func trainedModel() -> RVQAutoencoder {
        var generator = SeededGenerator(seed: 1)
        let model = RVQAutoencoder(Self.tinyConfig(), generator: &generator)
        _ = model.trainingForward(Variable(images(4, seed: 2)), generator: &generator)
        return model
    }

    func testWidthScaleAndShapes() {
        XCTAssertEqual(AutoencoderConfig().scaled(widths: 0.125).widths, [8, 16, 16])
        XCTAssertEqual(AutoencoderConfig().scaled(widths: 0.5).widths, [32, 64, 64])
        XCTAssertEqual(RVQAutoencoderConfig().latentShape, [4, 16, 16])
        let model = trainedModel()
        XCTAssertEqual(model.latentShape, [4, 4, 4])
        let x = images(2, seed: 3)
        let z = model.encodeContinuous(Variable(x))
        XCTAssertEqual(z.shape, [2, 4, 4, 4])
        XCTAssertEqual(model.decode(z).shape, [2, 3, 32, 32])
        XCTAssertEqual(model.encode(x).count, 2 * 3 * 16)
        XCTAssertEqual(model.reconstruct(x, levels: 2).shape, [2, 3, 32, 32])
    }

    func testDecodingCodesEqualsDecodingTheQuantizedLatents() {
        let model = trainedModel()
        let x = images(2, seed: 4)
        let z = withoutGradients { model.encodeContinuous(Variable(x)).value }
        for levels in [1, 3] {
            let (quantized, codes) = model.quantize(z, levels: levels)
            let direct = withoutGradients { model.decode(Variable(quantized)).value }
            XCTAssertEqual(try model.decode(codes: codes, count: 2), direct)
            XCTAssertEqual(model.reconstruct(x, levels: levels), direct)
        }
        XCTAssertEqual(model.nearestCodebookSnap(z), model.quantize(z).quantized)
    }

    func testSaveAndLoadRoundTrip() throws {
        let model = trainedModel()
        let url = folder.appendingPathComponent("model.safetensors")
        try model.save(to: url, metadata: ["step": "12"])
        let loaded = try RVQAutoencoder.load(from: url)
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertEqual(loaded.stateTensors(), model.stateTensors())
        XCTAssertTrue(loaded.stateTensors().keys.contains("rvq.levels.2.codebook"))
        XCTAssertTrue(loaded.stateTensors().keys.contains("enc.1.weight"))
        XCTAssertTrue(loaded.quantizer.isInitialized)
        let x = images(2, seed: 5)
        XCTAssertEqual(loaded.reconstruct(x, levels: 3), model.reconstruct(x, levels: 3))
        XCTAssertEqual(try RVQAutoencoder.metadata(of: url)["step"], "12")
        // Atomic write: no temporary file is left beside the model.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testLoadingABadFileNamesIt() throws {
        let garbage = folder.appendingPathComponent("garbage.safetensors")
        try Data("not a model".utf8).write(to: garbage)
        XCTAssertThrowsError(try RVQAutoencoder.load(from: garbage)) { error in
            XCTAssertTrue("\(error)".contains("garbage.safetensors"), "\(error)")
        }
        let other = folder.appendingPathComponent("other.safetensors")
        try SafetensorsFile(tensors: [:], metadata: ["format": "something-else"]).write(to: other)
        XCTAssertThrowsError(try RVQAutoencoder.load(from: other)) { error in
            XCTAssertTrue("\(error)".contains("not an RVQ autoencoder"), "\(error)")
        }
        // A model file with a tensor removed.
        let model = trainedModel()
        let url = folder.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        var file = try SafetensorsFile.read(from: url)
        file.tensors["dec.0.bias"] = nil
        try file.write(to: url)
        XCTAssertThrowsError(try RVQAutoencoder.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("dec.0.bias") && "\(error)".contains("model.safetensors"), "\(error)")
        }
    }
}
