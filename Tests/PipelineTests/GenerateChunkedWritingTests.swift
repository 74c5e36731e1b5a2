import Datasets
import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import VQVAE
import XCTest

/// `generate` decodes in chunks with the decoder's weights transformed once, and writes each
/// chunk's PNGs in the background while the next chunk decodes. The files must be those a plain
/// decode of all latents at once gives, each under its own name.
final class GenerateChunkedWritingTests: XCTestCase {
    let fixture = FlowStageFixture.shared
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("chunked-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// More samples than one decode chunk (25), so that several chunks are written while others decode.
    func testEverySampleFileHoldsItsPlainlyDecodedImage() throws {
        let model = try TrainFlowStage.run(
            fixture.trainOptions(output: scratch.appendingPathComponent("flow"), steps: 2), write: { _ in }
        ).model
        var options = GenerateStage.Options()
        options.run = fixture.run
        options.artifacts = fixture.artifacts
        options.model = model.path
        options.count = 57
        options.classes = ["0", "1", "2"]
        options.sampler = SamplerSettings(method: .euler, steps: 2)
        options.latentsOnly = true
        options.output = scratch.appendingPathComponent("latents").path
        try GenerateStage.run(options, write: { _ in })
        let latentsFile = try SafetensorsFile.read(from: scratch.appendingPathComponent("latents/latents.safetensors"))
        let latents = Tensor(
            shape: latentsFile.tensors["latents"]!.shape, values: try latentsFile.tensors["latents"]!.floats())

        options.latentsOnly = false
        options.output = scratch.appendingPathComponent("images").path
        let result = try GenerateStage.run(options, write: { _ in })

        // The reference: one decode of all latents, no chunks, weights transformed per call.
        let autoencoder = try RVQAutoencoder.load(from: fixture.autoencoderURL)
        let pixels = withoutGradients { autoencoder.decode(Variable(latents)).value }
        let (count, _, height, width) = pixels.nchw("reference")
        let expected = try ImageTensorConversion.images(
            fromNCHW: pixels.values, count: count, height: height, width: width)
        let names = result.sidecar.files.filter { $0.hasPrefix("images/") }
        XCTAssertEqual(names.count, 57)
        XCTAssertEqual(names, (0..<57).map { "images/" + String(format: "%05d-c%03d.png", $0, $0 % 3) })
        for (index, name) in names.enumerated() {
            let written = try PNGImage.read(from: scratch.appendingPathComponent("images/\(name)"))
            XCTAssertEqual(written.pixels.count, expected[index].pixels.count, name)
            // Only the summation order of the products may differ: at most one 8-bit level, rarely.
            let largest = zip(written.pixels, expected[index].pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(largest, 1, name)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: scratch.appendingPathComponent("images/images").path
        ).filter { !$0.hasSuffix(".png") }
        XCTAssertEqual(leftovers, [], "no temporary files once generate has returned")

        XCTAssertNotNil(result.sidecar.timings["load"])
        let lines = result.sidecar.phaseTimingsText.split(separator: "\n").map { $0.split(separator: " ").first ?? "" }
        XCTAssertEqual(lines, ["load", "sampling", "snap", "decode", "write", "other", "total"])
    }
}
