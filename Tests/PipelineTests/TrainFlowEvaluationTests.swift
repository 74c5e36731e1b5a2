import Datasets
import FileFormats
import Foundation
import LatentFlow
import Pipeline
import TensorCore
import VQVAE
import XCTest

/// The SWD evaluation `train-flow` runs while it trains (on the shared fixture: 32 px images, 3
/// classes, the held-out reference is its `validation` subset).
final class TrainFlowEvaluationTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("train-eval-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Tiny training with a small, quick evaluation every `every` steps.
    func options(_ name: String, steps: Int, every: Int) -> TrainFlowStage.Options {
        var options = fixture.trainOptions(output: scratch.appendingPathComponent(name), steps: steps)
        options.evalEvery = every
        options.evalSamples = 12
        options.evalSamplerSteps = 3
        return options
    }

    func records(_ folder: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: folder.appendingPathComponent(TrainFlowStage.metricsFile), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    func evaluations(_ folder: URL) throws -> [[String: Any]] {
        try records(folder).filter { $0["event"] as? String == "eval" }
    }

    func weights(_ folder: URL) throws -> [String: Tensor] {
        try FlowModel.load(from: folder.appendingPathComponent(TrainFlowStage.modelFile)).network.stateDictionary()
    }

    func testEvaluationLinesAtEveryNStepsAndAtTheEnd() throws {
        var lines = ""
        let result = try TrainFlowStage.run(
            options("run", steps: 6, every: 4), style: .log(everySeconds: 0, everyPercent: 0),
            write: { lines += $0 })
        XCTAssertTrue(
            lines.contains("evaluation: every 4 steps and at the end, SWD of 12 samples (Heun 3 steps"), lines)
        XCTAssertTrue(lines.contains("eval at step 4: SWD×10³ mean"), lines)
        XCTAssertTrue(lines.contains("swd "), "the progress line shows the latest SWD: \(lines)")
        let all = try records(result.folder)
        let evals = try evaluations(result.folder)
        XCTAssertEqual(evals.map { $0["step"] as? Int }, [4, 6], "every 4 steps, and once at the end")
        for record in evals {
            let swd = try XCTUnwrap(record["swd"] as? [Double])
            XCTAssertEqual(swd.count, 2, "levels of 32 and 16 px")
            XCTAssertTrue(swd.allSatisfy { $0.isFinite && $0 > 0 }, "\(swd)")
            XCTAssertEqual(try XCTUnwrap(record["swd_mean"] as? Double), swd.reduce(0, +) / 2, accuracy: 1e-9)
            XCTAssertEqual(record["eval_samples"] as? Int, 12)
            XCTAssertGreaterThan(try XCTUnwrap(record["eval_seconds"] as? Double), 0)
        }
        XCTAssertTrue(all.allSatisfy { $0["train_seconds"] is Double }, "every line carries train_seconds")
        // Through JSON a double may lose its last digit.
        let logged = try XCTUnwrap(evals.last?["swd"] as? [Double]), returned = try XCTUnwrap(result.lastSWD?.perLevel)
        XCTAssertEqual(logged.count, returned.count)
        for (a, b) in zip(logged, returned) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b))) }

        // The evaluation at step 4 happened with the training clock stopped.
        let last = try XCTUnwrap(all.last { $0["event"] == nil })
        let evalAt4 = try XCTUnwrap(evals.first?["eval_seconds"] as? Double)
        XCTAssertLessThanOrEqual(
            try XCTUnwrap(last["train_seconds"] as? Double),
            try XCTUnwrap(last["elapsed_seconds"] as? Double) - evalAt4)

        let manifest = try StageManifest<TrainFlowStage.ManifestConfig>.read(from: result.folder)
        let evaluation = try XCTUnwrap(manifest.config.evaluation)
        XCTAssertEqual(evaluation.every, 4)
        XCTAssertEqual(evaluation.referenceSubsets, [.validation])
        XCTAssertEqual(evaluation.sampler.method, .heun)
        // The floor: real training images in place of the samples, as many, against the same reference.
        let floor = try XCTUnwrap(evaluation.floor)
        XCTAssertEqual(floor.resolutions, [32, 16])
        XCTAssertTrue(floor.perLevel.allSatisfy { $0.isFinite && $0 > 0 }, "\(floor)")
        XCTAssertTrue(
            lines.contains(String(format: "12 real training images in their place score %.2f, the floor", floor.mean)),
            lines)
        let decoderHash = try SHA256.hashFile(at: fixture.autoencoderURL).hex
        XCTAssertTrue(manifest.inputs.contains { $0.sha256 == decoderHash }, "the decoder is an input")
    }

    /// Evaluations with the same seed score identically, and a run with them trains exactly as
    /// one without.
    func testEvaluationIsReproducibleAndLeavesTrainingUnchanged() throws {
        let a = try TrainFlowStage.run(options("a", steps: 4, every: 2), write: { _ in })
        let b = try TrainFlowStage.run(options("b", steps: 4, every: 2), write: { _ in })
        let off = try TrainFlowStage.run(options("off", steps: 4, every: 0), write: { _ in })
        let swdA = try evaluations(a.folder).map { $0["swd"] as! [Double] }
        XCTAssertEqual(swdA.count, 2)
        XCTAssertEqual(swdA, try evaluations(b.folder).map { $0["swd"] as! [Double] })
        XCTAssertNotEqual(swdA[0], swdA[1], "the weights changed between the evaluations")
        XCTAssertTrue(try evaluations(off.folder).isEmpty)
        XCTAssertNil(try StageManifest<TrainFlowStage.ManifestConfig>.read(from: off.folder).config.evaluation)
        XCTAssertTrue(try weights(a.folder) == weights(off.folder), "evaluation changed the training")
        let losses = { (folder: URL) in
            try self.records(folder).filter { $0["event"] == nil }.map { $0["loss"] as! Double }
        }
        XCTAssertEqual(try losses(a.folder), try losses(off.folder))
    }

    /// Stopped at step 3 after ≥ 0.6 s of training (the stop poll sleeps inside the training
    /// loop), resumed to 6: train_seconds goes on from the checkpoint's count, and the model is
    /// bit-identical to an uninterrupted run without evaluation.
    func testTrainSecondsContinueAcrossResumeAndResumeStaysExact() throws {
        var options = options("resumed", steps: 6, every: 2)
        var polls = 0
        let first = try TrainFlowStage.run(
            options, write: { _ in },
            shouldStop: {
                polls += 1
                Thread.sleep(forTimeInterval: 0.15)
                return polls > 3
            })
        XCTAssertEqual(first.end, .stopped)
        XCTAssertEqual(first.steps, 3)
        let saved = try FlowTrainer.checkpointSettings(
            at: first.folder.appendingPathComponent(TrainFlowStage.checkpointFile))
        XCTAssertGreaterThan(saved.trainingSeconds, 0)

        options.resume = true
        let resumed = try TrainFlowStage.run(options, write: { _ in })
        XCTAssertEqual(resumed.steps, 6)
        XCTAssertGreaterThan(resumed.trainingSeconds, saved.trainingSeconds)
        let all = try records(resumed.folder)
        let after = all.filter { ($0["step"] as! Int) > 3 }
        XCTAssertFalse(after.isEmpty)
        for record in after {
            XCTAssertGreaterThanOrEqual(
                try XCTUnwrap(record["train_seconds"] as? Double), saved.trainingSeconds, "\(record)")
        }
        XCTAssertEqual(try evaluations(resumed.folder).map { $0["step"] as? Int }, [2, 4, 6])

        let straight = try TrainFlowStage.run(self.options("straight", steps: 6, every: 0), write: { _ in })
        XCTAssertTrue(try weights(resumed.folder) == weights(straight.folder), "the resumed run differs")
    }

    func testAnotherAutoencoderThanTheLatentCachesIsAClearError() throws {
        let other = scratch.appendingPathComponent("other-autoencoder.safetensors")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try RVQAutoencoder.load(from: fixture.autoencoderURL).save(
            to: other, metadata: ["note": "not the encoder of the cache"])
        var options = options("mismatch", steps: 2, every: 2)
        options.autoencoder = other.path
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.contains(other.path) && text.contains("latent cache") && text.contains("--eval-every 0"), text)
        }
        options.evalEvery = 0
        XCTAssertEqual(
            try TrainFlowStage.run(options, write: { _ in }).steps, 2, "without evaluation the decoder is not needed")
    }

    /// Nothing held out: the default turns evaluation off with a note, an explicit --eval-every fails.
    func testNothingHeldOutTurnsTheDefaultOffAndFailsAnExplicitRequest() throws {
        var options = options("all", steps: 1, every: 2)
        options.trainSubsets = [.train, .validation, .test]
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--eval-every 2") && "\(error)".contains("held out"), "\(error)")
        }
        options.evalEvery = nil
        var lines = ""
        XCTAssertEqual(try TrainFlowStage.run(options, write: { lines += $0 }).steps, 1)
        XCTAssertTrue(lines.contains("note: no evaluation during training"), lines)
        options.evalEvery = -1
        XCTAssertThrowsError(try TrainFlowStage.run(options, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("--eval-every"))
        }
    }

    func testPixelSpaceEvaluatesTheImagesDirectly() throws {
        var options = options("pixel", steps: 2, every: 2)
        options.space = .pixel
        options.batchSize = 4
        options.autoencoder = "/nonexistent/not-needed.safetensors"
        let result = try TrainFlowStage.run(options, write: { _ in })
        let evals = try evaluations(result.folder)
        XCTAssertEqual(evals.map { $0["step"] as? Int }, [2])
        XCTAssertEqual((evals.first?["swd"] as? [Double])?.count, 2)
    }

    /// A conditional model's samples spread evenly over the classes, so the floor's real
    /// stand-ins must too, however the training subsets mix them: with 10 red and 90 blue training
    /// images, 10 red and 10 blue stand-ins score ≈ 0 against 10 red and 10 blue held-out ones
    /// (a uniform draw, as before, took ~2 red and scored the mix).
    func testTheFloorsStandInsHaveTheSamplesClassMix() throws {
        let cache = try HandMadeCache.write(
            HandMadeCache.redAndBlue(10, 10, .validation) + HandMadeCache.redAndBlue(10, 90, .train),
            classNames: ["red", "blue"], size: 32,
            to: scratch.appendingPathComponent("cache"))
        // Pixel-space training names the dataset's manifest among its inputs (only its hash).
        try Data("{}".utf8).write(to: cache.appendingPathComponent(DatasetCacheLayout.manifestFile))
        var options = options("mixed", steps: 2, every: 2)
        options.space = .pixel
        options.dataset = cache.path
        options.trainSubsets = [.train]
        options.batchSize = 4
        options.evalSamples = 20
        options.evalImages = 20
        options.autoencoder = "/nonexistent/not-needed.safetensors"
        let result = try TrainFlowStage.run(options, write: { _ in })
        let manifest = try StageManifest<TrainFlowStage.ManifestConfig>.read(from: result.folder)
        let floor = try XCTUnwrap(manifest.config.evaluation?.floor)
        let coarse = try XCTUnwrap(floor.perLevel.last)
        XCTAssertLessThan(coarse, 0.01, "10 red and 10 blue stand-ins for samples of both classes: \(floor)")
    }

    /// `pipeline run` passes a stage's settings as its command's options: the new keys reach
    /// `train-flow` through the executable.
    func testRunConfigKeysReachTheCommand() throws {
        let output = scratch.appendingPathComponent("cli")
        let config = try RunConfig.parse(
            """
            run: \(fixture.run)
            artifacts: \(fixture.artifacts)
            stages:
              train-flow: { steps: 2, minutes: 5, base: 8, multipliers: "1,2", attention-levels: 1, batch-size: 8,
                            eval-every: 2, eval-samples: 5, eval-sampler-steps: 2, eval-images: 2, output: \(output.path) }
            """, source: "test.yaml")
        let arguments = config.arguments(for: .trainFlow)
        XCTAssertTrue(arguments.joined(separator: " ").contains("--eval-every 2"), "\(arguments)")
        let outcome = try PipelineProcess.run(["train-flow"] + arguments, in: fixture.root)
        XCTAssertEqual(outcome.status, 0, outcome.stderr + outcome.stdout)
        let evals = try evaluations(output)
        XCTAssertEqual(evals.map { $0["step"] as? Int }, [2])
        XCTAssertEqual(evals.first?["eval_samples"] as? Int, 5)
        let manifest = try StageManifest<TrainFlowStage.ManifestConfig>.read(from: output)
        XCTAssertEqual(manifest.config.evaluation?.referenceImages, 2)
    }
}
