import FileFormats
import Foundation
import LatentFlow
import SharedTestData
import TensorCore
import XCTest

/// The state-dict keys (`tmlp.0.weight`, `downs.3.n1.bias`, …) are the flow-model file format and
/// the PyTorch reference's names; the Swift properties behind them may be renamed, the keys may
/// not. The fixtures were recorded from the code before the properties got self-explaining names.
final class VelocityUNetStateKeyTests: XCTestCase {
    /// A network small enough to commit as a file, yet with every kind of block: a width change
    /// (1×1 skips), attention on one level, a downsampling and an upsampling step.
    static let tiny = UNetConfig(channels: 4, base: 4, multipliers: [1, 2], classCount: 3, attentionLevels: 1)

    static let configs: [(name: String, config: UNetConfig)] = [
        ("latent", .latent), ("pixel", .pixel), ("tiny", tiny),
        ("no-attention", UNetConfig(channels: 3, base: 8, multipliers: [1, 2, 2], classCount: 0, attentionLevels: 0)),
    ]

    /// Every key and shape of each configuration, in parameter order (PyTorch's, and the order
    /// gradient norms are summed in).
    func testKeysAndShapesAreTheRecordedOnes() throws {
        for (name, config) in Self.configs {
            var generator = SeededGenerator(seed: 0)
            let network = VelocityUNet(config, generator: &generator)
            let lines = network.namedParameters().map { "\($0.name) \($0.variable.value.shape)" }
            try RecordedFixture.assertLines(lines, matchRecorded: "velocity-unet-\(name).keys.txt")
        }
        if RecordedFixture.isRecording { throw RecordedFixture.recorded("velocity-unet-*.keys.txt") }
    }

    /// A flow model written by the code before the renames loads, and gives the velocities that
    /// code computed. Its parameters were perturbed from their initial values before saving, so
    /// that every tensor differs and a key attached to the wrong layer (even between two norms
    /// of one block, which start equal) changes the output.
    func testLoadsAFlowModelWrittenBeforeTheRenames() throws {
        let modelURL = RecordedFixture.url("velocity-unet-tiny.safetensors")
        let referenceURL = RecordedFixture.url("velocity-unet-tiny.forward.safetensors")
        let times: [Float] = [0.1, 0.6], classes = [2, Self.tiny.classCount]
        if RecordedFixture.isRecording {
            try record(modelURL: modelURL, referenceURL: referenceURL, times: times, classes: classes)
            throw RecordedFixture.recorded(modelURL.lastPathComponent, referenceURL.lastPathComponent)
        }
        let model = try FlowModel.load(from: modelURL)
        XCTAssertEqual(model.config, Self.tiny)
        let reference = try SafetensorsFile.read(from: referenceURL)
        let x = try tensor("x", in: reference), expected = try tensor("velocity", in: reference)
        let velocity = withoutGradients { model.network(Variable(x), times: times, classes: classes).value }
        XCTAssertEqual(velocity.shape, expected.shape)
        let worst = zip(velocity.values, expected.values).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-4, "largest velocity difference from the recorded one")
    }

    private func record(modelURL: URL, referenceURL: URL, times: [Float], classes: [Int]) throws {
        var generator = SeededGenerator(seed: 24)
        let network = VelocityUNet(Self.tiny, generator: &generator)
        for (_, variable) in network.namedParameters() {
            let noise = Initialization.normal(shape: variable.value.shape, generator: &generator)
            variable.value = Tensor(
                shape: variable.value.shape,
                values: zip(variable.value.values, noise.values).map { $0 + 0.3 * $1 })
        }
        let statistics = ChannelStatistics(mean: [0.1, -0.2, 0.3, 0], std: [1, 2, 0.5, 1])
        try FileManager.default.createDirectory(
            at: modelURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FlowModel(network: network, statistics: statistics, path: .linear, sampleShape: [4, 8, 8])
            .save(to: modelURL)
        let x = Initialization.normal(shape: [2, 4, 8, 8], generator: &generator)
        let velocity = withoutGradients { network(Variable(x), times: times, classes: classes).value }
        try SafetensorsFile(tensors: [
            "x": SafetensorsTensor(floats: x.values, shape: x.shape),
            "velocity": SafetensorsTensor(floats: velocity.values, shape: velocity.shape),
        ])
        .write(to: referenceURL)
    }

    private func tensor(_ name: String, in file: SafetensorsFile) throws -> Tensor {
        let entry = try XCTUnwrap(file.tensors[name], "reference tensor \(name)")
        return Tensor(shape: entry.shape, values: try entry.floats())
    }
}
