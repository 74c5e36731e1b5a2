import Datasets
import FileFormats
import Foundation
import Pipeline
import TensorCore
import VQVAE
import XCTest

/// The losses and weights of a few seeded training steps of both stages, against values recorded
/// from the code before the trainers were reshaped (issue 24): moving the autoencoder's training
/// into VQVAE and both stages onto one loop must not change a single step.
///
/// The expected numbers are what this test printed (its `record` lines) on the earlier code. They are
/// compared with a relative tolerance of 1e-4 rather than bit for bit, so that another CPU's BLAS
/// kernels (rounding differently) pass; a changed batch, random draw, schedule or update order
/// moves them by far more than that.
final class TrainingTrajectoryTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("trajectory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Sum, sum of squares and count of the values of every float tensor in a safetensors file whose name passes `keep`.
    static func fingerprint(_ url: URL, keep: (String) -> Bool = { _ in true }) throws -> [Double] {
        let file = try SafetensorsFile.read(from: url)
        var sum = 0.0, squares = 0.0, count = 0.0
        for name in file.tensors.keys.sorted() where keep(name) {
            // Float tensors only: the generators' states are stored as integers.
            guard let values = try? file.tensors[name]!.floats() else { continue }
            for value in values {
                sum += Double(value)
                squares += Double(value) * Double(value)
                count += 1
            }
        }
        return [sum, squares, count]
    }

    static func metrics(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static func assertClose(
        _ actual: [Double], _ expected: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, "\(what): \(actual)", file: file, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertLessThanOrEqual(
                abs(a - e), 1e-4 * max(abs(e), 1e-3), "\(what): \(actual) vs recorded \(expected)", file: file,
                line: line)
        }
    }

    /// Six steps of a tiny autoencoder: the quantizer starts by k-means at step 2, the adversarial
    /// term at step 3, a checkpoint at step 4, EMA weights saved with refitted codebooks.
    func testAutoencoderTrainingTakesTheRecordedSteps() throws {
        var prepare = PrepareStage.Options()
        prepare.count = 24
        prepare.classes = 2
        prepare.size = 32
        prepare.margin = 4
        prepare.run = "trajectory"
        prepare.output = folder.appendingPathComponent("artifacts/trajectory/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })

        var o = TrainAEOptions()
        o.run = "trajectory"
        o.artifacts = folder.appendingPathComponent("artifacts").path
        o.steps = 6
        o.widthScale = 0.125
        o.levels = 3
        o.codebookSize = 16
        o.batchSize = 4
        o.warmupSteps = 2
        o.learningRate = 3e-3
        o.kmeansBatches = 2
        o.quantizerStartStep = 2
        o.checkpointEvery = 4
        o.gridEvery = 0
        o.evaluationImages = 4
        o.quantizer.deadCodeWindow = 2
        var adversarial = AdversarialOptions()
        adversarial.startStep = 3
        adversarial.discriminator = PatchDiscriminatorConfig(base: 8, downsamplings: 2)
        o.adversarial = adversarial
        let result = try TrainAEStage.run(o, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })

        let records = try Self.metrics(result.stageFolder.appendingPathComponent(TrainAEStage.metricsFile))
        let losses = records.map { $0["loss"] as! Double }
        let hinges = records.compactMap { ($0["terms"] as! [String: Double])["discriminator_hinge"] }
        let model = try Self.fingerprint(result.modelURL)
        let checkpoint = try Self.fingerprint(result.stageFolder.appendingPathComponent(TrainAEStage.checkpointFile))
        print("record autoencoder losses \(losses) hinges \(hinges) model \(model) checkpoint \(checkpoint)")
        Self.assertClose(
            losses,
            [
                0.47109311819076555, 0.34346818923950195, 0.2703196704387666, 0.3779866099357604,
                0.35267433524131775, 0.32694748044013977,
            ], "losses")
        Self.assertClose(
            hinges, [1.939392328262329, 1.850654125213623, 1.7628968954086304], "discriminator hinge losses")
        Self.assertClose(model, [529.9115497878183, 4999.729096708839, 43281.0], "saved model")
        Self.assertClose(checkpoint, [864.2304603953671, 5527.094009805678, 205548.0], "checkpoint")
    }

    /// Six steps of a tiny latent flow with minibatch OT, a checkpoint at step 3 and a metrics line
    /// per step.
    func testFlowTrainingTakesTheRecordedSteps() throws {
        let fixture = FlowStageFixture.shared
        _ = try fixture.latents()
        let output = folder.appendingPathComponent("flow")
        var options = fixture.trainOptions(output: output, steps: 6)
        options.logEvery = 1
        options.training.optimalTransport = true
        // Recorded from random initial weights, before --zero-init existed (and became the default).
        options.training.zeroInitialisedBranchOutputs = nil
        let result = try TrainFlowStage.run(options, write: { _ in })

        let records = try Self.metrics(output.appendingPathComponent(TrainFlowStage.metricsFile))
        let losses = records.map { $0["loss"] as! Double }
        let norms = records.map { $0["grad_norm"] as! Double }
        let model = try Self.fingerprint(result.model)
        let checkpoint = try Self.fingerprint(output.appendingPathComponent(TrainFlowStage.checkpointFile))
        print("record flow losses \(losses) norms \(norms) model \(model) checkpoint \(checkpoint)")
        Self.assertClose(
            losses,
            [
                1.869383335113526, 1.8292148113250726, 1.87985098361969, 1.924404263496399,
                1.7857177257537848, 1.9045811891555786,
            ], "losses")
        Self.assertClose(
            norms,
            [
                1.676486396383321, 1.5598422347573515, 1.529320715840212, 1.3579370273696616,
                1.197340066374408, 1.1493646876709704,
            ], "gradient norms")
        Self.assertClose(model, [505.96205022020695, 1025.871074284117, 69772.0], "saved model")
        Self.assertClose(checkpoint, [1011.5960913943455, 2051.899220585974, 279088.0], "checkpoint")
    }
}
