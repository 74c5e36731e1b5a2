import Foundation
import LatentFlow
import Pipeline
import TensorCore
import XCTest

final class TrainFlowStageTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("train-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func records(_ folder: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: folder.appendingPathComponent(TrainFlowStage.metricsFile), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    func testLatentTrainingWritesModelMetricsCheckpointAndManifest() throws {
        var lines = ""
        let result = try TrainFlowStage.run(
            fixture.trainOptions(output: scratch, steps: 6), style: .log(everySeconds: 0, everyPercent: 0),
            write: { lines += $0 })
        XCTAssertEqual(result.steps, 6)
        XCTAssertEqual(result.end, .stepBudget)
        XCTAssertTrue(lines.contains("train-flow (latent): 27 samples of [4, 4, 4], 3 classes, batch 8"), lines)
        let metrics = try records(scratch)
        XCTAssertEqual(metrics.map { $0["step"] as? Int }, [2, 4, 6])
        for record in metrics {
            XCTAssertEqual((record["loss_by_time"] as? [Any])?.count, 5)
            XCTAssertTrue(((record["loss"] as? Double) ?? .nan).isFinite)
        }
        let model = try FlowModel.load(from: result.model)
        XCTAssertEqual(model.sampleShape, [4, 4, 4])
        XCTAssertEqual(model.config.classCount, 3)
        XCTAssertEqual(model.info["space"], "latent")
        XCTAssertEqual(model.info["step"], "6")
        XCTAssertNotNil(model.info["class_names"])
        let manifest = try StageManifest<TrainFlowStage.ManifestConfig>.read(from: scratch)
        XCTAssertTrue(manifest.isComplete)
        XCTAssertEqual(manifest.config.steps, 6)
        XCTAssertEqual(Set(manifest.outputs.map(\.role)), ["model", "checkpoint", "metrics"])
        XCTAssertEqual(manifest.config.trainingSamples, 27)
    }

    /// Three steps, stop, resume to six: the same model, checkpoint state and metrics as six
    /// steps straight through.
    func testResumedRunEqualsTheUninterruptedRun() throws {
        let straight = scratch.appendingPathComponent("straight"),
            interrupted = scratch.appendingPathComponent("interrupted")
        var options = fixture.trainOptions(output: straight, steps: 6)
        options.training.optimalTransport = true
        try TrainFlowStage.run(options, write: { _ in })

        options.output = interrupted.path
        var stepsSeen = 0
        let first = try TrainFlowStage.run(
            options, write: { _ in },
            shouldStop: {
                stepsSeen += 1
                return stepsSeen > 4
            })
        XCTAssertEqual(first.end, .stopped)
        XCTAssertEqual(first.steps, 4)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("manifest.json").path),
            "a stopped run is not complete")
        options.resume = true
        options.training.learningRate = 1  // ignored: the checkpoint's settings win
        var lines = ""
        let resumed = try TrainFlowStage.run(options, write: { lines += $0 })
        XCTAssertTrue(lines.contains("resumed from"), lines)
        XCTAssertEqual(resumed.steps, 6)

        let a = try FlowModel.load(from: straight.appendingPathComponent(TrainFlowStage.modelFile))
        let b = try FlowModel.load(from: interrupted.appendingPathComponent(TrainFlowStage.modelFile))
        XCTAssertTrue(a.network.stateDictionary() == b.network.stateDictionary(), "resumed model differs")
        let lossesA = try records(straight).map { $0["loss"] as! Double }
        let lossesB = try records(interrupted).map { $0["loss"] as! Double }
        XCTAssertEqual(lossesA, lossesB)
        XCTAssertEqual(try records(interrupted).map { $0["step"] as! Int }, [2, 4, 6])
    }

    func testExistingCheckpointNeedsResumeOrRestart() throws {
        var options = fixture.trainOptions(output: scratch, steps: 2)
        try TrainFlowStage.run(options, write: { _ in })
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        options.resume = true
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("already at step 2"), "\(error)")
        }
        options.resume = false
        options.restart = true
        XCTAssertEqual(try TrainFlowStage.run(options, write: { _ in }).steps, 2)
        options.steps = nil
        options.restart = false
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("budget"))
        }
    }

    /// Checkpoints may be deleted to save space: the model left is trained work all the same.
    func testAModelWithoutItsCheckpointIsNotOverwritten() throws {
        var options = fixture.trainOptions(output: scratch, steps: 2)
        let first = try TrainFlowStage.run(options, write: { _ in })
        try FileManager.default.removeItem(at: scratch.appendingPathComponent(TrainFlowStage.checkpointFile))
        let trained = try Data(contentsOf: first.model)
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("a trained model exists"), "\(error)")
            XCTAssertTrue("\(error)".contains("--restart"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: first.model), trained, "the refused run changed the model")
        XCTAssertNotNil(StageManifest<TrainFlowStage.ManifestConfig>.complete(in: scratch), "manifest removed")
        options.restart = true
        XCTAssertEqual(try TrainFlowStage.run(options, write: { _ in }).steps, 2)
    }

    /// A process that ends between its last checkpoint and its manifest (a second Ctrl-C during the
    /// final export) left a checkpoint at the step budget that every resume refused.
    func testACheckpointAtTheBudgetWithoutAManifestIsFinished() throws {
        var options = fixture.trainOptions(output: scratch, steps: 2)
        try TrainFlowStage.run(options, write: { _ in })
        try StageManifest<TrainFlowStage.ManifestConfig>.invalidate(in: scratch)
        try FileManager.default.removeItem(at: scratch.appendingPathComponent(TrainFlowStage.modelFile))
        options.resume = true
        var text = ""
        let result = try TrainFlowStage.run(options, write: { text += $0 })
        XCTAssertEqual(result.steps, 2)
        XCTAssertTrue(text.contains("finishing it without training"), text)
        XCTAssertTrue(FileManager.default.fileExists(atPath: result.model.path))
        XCTAssertNotNil(StageManifest<TrainFlowStage.ManifestConfig>.complete(in: scratch))
    }

    func testPixelSpaceUsesTheSameTrainer() throws {
        var options = fixture.trainOptions(output: scratch, steps: 2)
        options.space = .pixel
        options.batchSize = 4
        let result = try TrainFlowStage.run(options, write: { _ in })
        let model = try FlowModel.load(from: result.model)
        XCTAssertEqual(model.sampleShape, [3, 32, 32])
        XCTAssertEqual(model.info["space"], "pixel")
        XCTAssertEqual(model.statistics.channels, 3)
        XCTAssertFalse(model.statistics.isIdentity, "pixel statistics measured from the training images")
    }
}
