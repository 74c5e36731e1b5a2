import FileFormats
import Foundation
import SharedTestData
import TensorCore
import VQVAE
import XCTest

/// The state-dict keys (`enc.3.n1.weight`, `rvq.levels.0.codebook`, …) are the autoencoder file
/// format and the PyTorch reference's names; the Swift properties behind them may be renamed, the
/// keys may not. The fixtures were recorded from the code before the properties got
/// self-explaining names.
final class AutoencoderStateKeyTests: XCTestCase {
    /// A model small enough to commit as a file, with every kind of step: pixel-unshuffle stem,
    /// residual blocks, a downsampling, attention and the quantizer's buffers.
    static func tinyConfig() -> RVQAutoencoderConfig {
        var autoencoder = AutoencoderConfig()
        autoencoder.widths = [8, 8]
        return RVQAutoencoderConfig(
            autoencoder: autoencoder, quantizer: QuantizerConfig(levels: 2, codebookSize: 8, dimension: 4),
            imageSize: 16)
    }

    static func autoencoderVariant() -> AutoencoderConfig {
        var config = AutoencoderConfig()
        config.stemFactor = 1
        config.widths = [8, 16]
        config.blocksPerLevel = 2
        config.attention = false
        return config
    }

    /// Every key and shape, in parameter order (PyTorch's, and the order gradient norms are
    /// summed in), then the quantizer's buffers.
    func testKeysAndShapesAreTheRecordedOnes() throws {
        func lines(_ module: Module) -> [String] {
            module.namedParameters().map { "\($0.name) \($0.variable.value.shape)" }
        }
        var generator = SeededGenerator(seed: 0)
        let rvq = RVQAutoencoder(RVQAutoencoderConfig(), generator: &generator)
        let buffers = rvq.quantizer.buffers()
        try RecordedFixture.assertLines(
            lines(rvq) + rvq.quantizer.bufferNames().map { "\($0) \(buffers[$0]!.shape)" },
            matchRecorded: "rvq-autoencoder-default.keys.txt")
        try RecordedFixture.assertLines(
            lines(ConvAutoencoder(Self.autoencoderVariant(), generator: &generator)),
            matchRecorded: "conv-autoencoder-variant.keys.txt")
        try RecordedFixture.assertLines(
            lines(PatchDiscriminator(generator: &generator)),
            matchRecorded: "patch-discriminator-default.keys.txt")
        if RecordedFixture.isRecording { throw RecordedFixture.recorded("*.keys.txt") }
    }

    /// An autoencoder written by the code before the renames loads, and reconstructs images as
    /// that code did, through the continuous latents and through the codes. Its parameters were
    /// perturbed from their initial values before saving, so that every tensor differs and a key
    /// attached to the wrong layer (even between two norms of one block, which start equal)
    /// changes the output.
    func testLoadsAnAutoencoderWrittenBeforeTheRenames() throws {
        let modelURL = RecordedFixture.url("rvq-autoencoder-tiny.safetensors")
        let referenceURL = RecordedFixture.url("rvq-autoencoder-tiny.forward.safetensors")
        if RecordedFixture.isRecording {
            try record(modelURL: modelURL, referenceURL: referenceURL)
            throw RecordedFixture.recorded(modelURL.lastPathComponent, referenceURL.lastPathComponent)
        }
        let model = try RVQAutoencoder.load(from: modelURL)
        XCTAssertEqual(model.config, Self.tinyConfig())
        let reference = try SafetensorsFile.read(from: referenceURL)
        let images = try tensor("images", in: reference)
        for (name, levels) in [("continuous", nil), ("quantized", 2)] as [(String, Int?)] {
            let expected = try tensor(name, in: reference)
            let reconstruction = model.reconstruct(images, levels: levels)
            XCTAssertEqual(reconstruction.shape, expected.shape, name)
            let worst = zip(reconstruction.values, expected.values).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-4, "largest \(name) reconstruction difference from the recorded one")
        }
    }

    private func record(modelURL: URL, referenceURL: URL) throws {
        var generator = SeededGenerator(seed: 24)
        let model = RVQAutoencoder(Self.tinyConfig(), generator: &generator)
        for (_, variable) in model.namedParameters() {
            let noise = Initialization.normal(shape: variable.value.shape, generator: &generator)
            variable.value = Tensor(
                shape: variable.value.shape,
                values: zip(variable.value.values, noise.values).map { $0 + 0.3 * $1 })
        }
        let images = Initialization.uniform(shape: [2, 3, 16, 16], low: -1, high: 1, generator: &generator)
        let latents = withoutGradients { model.encodeContinuous(Variable(images)).value }
        model.quantizer.initialize(from: latents, generator: &generator)
        try FileManager.default.createDirectory(
            at: modelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try model.save(to: modelURL)
        var tensors = ["images": SafetensorsTensor(floats: images.values, shape: images.shape)]
        for (name, levels) in [("continuous", nil), ("quantized", 2)] as [(String, Int?)] {
            let reconstruction = model.reconstruct(images, levels: levels)
            tensors[name] = SafetensorsTensor(floats: reconstruction.values, shape: reconstruction.shape)
        }
        try SafetensorsFile(tensors: tensors).write(to: referenceURL)
    }

    private func tensor(_ name: String, in file: SafetensorsFile) throws -> Tensor {
        let entry = try XCTUnwrap(file.tensors[name], "reference tensor \(name)")
        return Tensor(shape: entry.shape, values: try entry.floats())
    }
}
