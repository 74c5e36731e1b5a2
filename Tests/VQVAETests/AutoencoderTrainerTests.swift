import Foundation
import TensorCore
import VQVAE
import XCTest

/// The autoencoder's trainer on its own, fed by a batch source that makes images up.
final class AutoencoderTrainerTests: XCTestCase {
    /// Batch k is a pure function of k; the position is what a checkpoint's caller fields keep.
    final class MadeUpImages: AutoencoderBatchSource {
        var position = 0
        func batch(_ k: Int) -> Tensor {
            var generator = SeededGenerator(seed: 100 + UInt64(k))
            return Initialization.uniform(shape: [4, 3, 32, 32], low: -1, high: 1, generator: &generator)
        }
        func nextBatch() throws -> Tensor {
            defer { position += 1 }
            return batch(position)
        }
        func upcomingBatches(_ count: Int) throws -> [Tensor] { (0..<count).map { batch(position + $0) } }
    }

    struct Position: Codable, Equatable { var position: Int }

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fmf-ae-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static func trainer(source: MadeUpImages = MadeUpImages()) -> AutoencoderTrainer {
        var model = RVQAutoencoderConfig()
        model.autoencoder = AutoencoderConfig().scaled(widths: 0.125)
        model.quantizer = QuantizerConfig(levels: 2, codebookSize: 8, dimension: 4)
        model.imageSize = 32
        var config = AutoencoderTrainingConfig()
        config.learningRate = 3e-3
        config.warmupSteps = 2
        config.quantizerStartStep = 2
        config.kmeansBatches = 2
        config.adversarial = AdversarialTrainingConfig(
            weight: 0.1, startStep: 3, discriminator: PatchDiscriminatorConfig(base: 8, downsamplings: 2),
            learningRate: 2e-4)
        return AutoencoderTrainer(config: config, model: model, source: source)
    }

    /// Six steps straight, against three, a checkpoint, and three more in a new trainer: the same
    /// weights, EMA and optimizer state (k-means start at step 2 and the discriminator from step 3
    /// on either side of the checkpoint).
    func testResumeFromACheckpointIsBitIdentical() throws {
        let straight = Self.trainer()
        let reports = try (0..<6).map { _ in try straight.trainStep() }
        XCTAssertEqual(reports.map(\.startedQuantizer), [false, false, true, false, false, false])
        XCTAssertEqual(reports.map { $0.terms["discriminator_hinge"] != nil }, [false, false, false, true, true, true])

        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        let firstSource = MadeUpImages()
        let first = Self.trainer(source: firstSource)
        for _ in 0..<3 { _ = try first.trainStep() }
        try first.saveCheckpoint(to: checkpoint, caller: Position(position: firstSource.position))

        let source = MadeUpImages()
        let resumed = Self.trainer(source: source)
        let saved = try resumed.restore(from: checkpoint, caller: Position.self)
        XCTAssertEqual(saved, Position(position: 3))
        XCTAssertEqual(AutoencoderTrainer.checkpointStep(checkpoint), 3)
        source.position = saved.position
        for _ in 0..<3 { _ = try resumed.trainStep() }
        XCTAssertEqual(resumed.step, 6)
        XCTAssertTrue(
            straight.model.stateTensors() == resumed.model.stateTensors(), "weights or codebooks differ after resuming")
        XCTAssertTrue(straight.ema!.averagesByName() == resumed.ema!.averagesByName(), "EMA averages differ")
        XCTAssertTrue(straight.optimizer.exportState() == resumed.optimizer.exportState(), "optimizer state differs")
    }

    /// The hook runs after the backward pass and before clipping: gradients it scales to zero
    /// give a zero norm and leave the weights where AdamW's decay alone puts them.
    func testTheGradientHookSeesTheGradientsBeforeClipping() throws {
        let trainer = Self.trainer()
        var calls = 0
        trainer.gradientHook = { parameters in
            calls += 1
            XCTAssertEqual(parameters.map(\.name), trainer.optimizer.parameters.map(\.name))
            XCTAssertTrue(parameters.contains { $0.variable.grad != nil }, "called after the backward pass")
            for parameter in parameters {
                parameter.variable.grad = parameter.variable.grad.map { Tensor(zeros: $0.shape) }
            }
        }
        let report = try trainer.trainStep()
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(report.gradientNorm, 0, "the norm is measured after the hook")
    }
}
