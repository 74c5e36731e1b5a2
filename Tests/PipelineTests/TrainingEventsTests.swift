import FileFormats
import Foundation
import Pipeline
import XCTest

/// The event files the training stages write beside `metrics.jsonl`: the tags and steps of a run
/// interrupted and resumed, read back with the project's decoder (checksums checked).
final class TrainingEventsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("training-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// (step, tag) of every summary value of a file, and the step of its session start.
    func summary(_ file: URL) throws -> (start: Int64?, values: [(step: Int64, tag: String)]) {
        var start: Int64?
        var values: [(Int64, String)] = []
        for event in try TensorBoardEventFile.read(file) {
            switch event.content {
            case .sessionStart: start = event.step
            case .summary(let tagged): values += tagged.map { (event.step, $0.tag) }
            default: break
            }
        }
        return (start, values)
    }

    func steps(_ values: [(step: Int64, tag: String)], _ tag: String) -> [Int64] {
        values.filter { $0.tag == tag }.map(\.step)
    }

    func testTheFlowTrainerLogsScalarsSWDAndSampleGridsAcrossAResume() throws {
        let fixture = FlowStageFixture.shared
        _ = try fixture.latents()
        let output = fixture.root.appendingPathComponent("events-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var options = fixture.trainOptions(output: output, steps: 6)
        options.evalEvery = 2
        options.evalSamples = 6
        options.evalSamplerSteps = 2
        var polls = 0
        let first = try TrainFlowStage.run(
            options, write: { _ in },
            shouldStop: {
                polls += 1
                return polls > 4
            })
        XCTAssertEqual(first.steps, 4)
        options.resume = true
        try TrainFlowStage.run(options, write: { _ in })

        let files = TensorBoardEventFile.files(inStageFolder: output)
        XCTAssertEqual(files.count, 2, "one file per session")
        let a = try summary(files[0]), b = try summary(files[1])
        XCTAssertEqual(a.start, 1)
        XCTAssertEqual(b.start, 5, "the resumed session supersedes what came after the checkpoint at step 4")
        XCTAssertEqual(steps(a.values, "loss"), [2, 4])
        XCTAssertEqual(steps(a.values, "learning_rate"), [2, 4])
        XCTAssertEqual(steps(a.values, "images_per_second"), [2, 4])
        XCTAssertEqual(steps(a.values, "swd/mean"), [2, 4])
        XCTAssertEqual(steps(a.values, "swd/32px"), [2, 4])
        XCTAssertEqual(steps(a.values, "evaluation_samples"), [2, 4])
        XCTAssertEqual(steps(b.values, "loss"), [6])
        XCTAssertEqual(steps(b.values, "swd/mean"), [6])
        XCTAssertEqual(steps(b.values, "evaluation_samples"), [6])

        // The same evaluations as metrics.jsonl, and a grid of each evaluation's samples.
        let log = try String(contentsOf: output.appendingPathComponent(TrainFlowStage.metricsFile), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").filter { $0.contains("\"event\":\"eval\"") }.count, 3)
        for step in [2, 4, 6] {
            let grid = output.appendingPathComponent(String(format: "grids/step-%06d.png", step))
            let image = try PNGImage.read(from: grid)
            XCTAssertEqual(image.width, 3 * 32 + 4 * 2, "6 samples of 32 px, 3 to a row with 2 px borders")
        }
        XCTAssertEqual(LatestGrid.find(inStageFolder: output)?.step, 6)
    }

    func testTheAutoencoderTrainerLogsScalarsAndReconstructionsAcrossAResume() throws {
        var prepare = PrepareStage.Options()
        prepare.count = 40
        prepare.classes = 2
        prepare.size = 32
        prepare.run = "events"
        prepare.output = folder.appendingPathComponent("artifacts/events/dataset").path
        try PrepareStage.run(prepare, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })
        var options = TrainAEOptions()
        options.run = "events"
        options.artifacts = folder.appendingPathComponent("artifacts").path
        options.steps = 6
        options.widthScale = 0.125
        options.levels = 2
        options.codebookSize = 16
        options.batchSize = 4
        options.warmupSteps = 1
        options.kmeansBatches = 2
        options.checkpointEvery = 4
        options.gridEvery = 5
        options.evaluationImages = 4
        var polls = 0
        let first = try TrainAEStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in }) {
            polls += 1
            return polls > 3
        }
        XCTAssertTrue(first.stopped)
        options.resume = true
        try TrainAEStage.run(options, style: .log(everySeconds: 0, everyPercent: 0), write: { _ in })

        let stage = folder.appendingPathComponent("artifacts/events/autoencoder")
        let files = TensorBoardEventFile.files(inStageFolder: stage)
        XCTAssertEqual(files.count, 2)
        let a = try summary(files[0]), b = try summary(files[1])
        XCTAssertEqual(a.start, 1)
        XCTAssertEqual(b.start, 4)
        for tag in [
            "loss", "psnr", "learning_rate", "images_per_second", "gradient_norm", "perplexity/level_1",
            "loss_terms/mse",
        ] {
            XCTAssertEqual(steps(a.values, tag), [1, 2, 3], tag)
            XCTAssertEqual(steps(b.values, tag), [4, 5, 6], tag)
        }
        XCTAssertEqual(steps(b.values, "reconstructions"), [5, 6], "the grid every 5 steps and at the end")
        // One scalar event per line of metrics.jsonl.
        let lines = try String(contentsOf: stage.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(
            separator: "\n")
        XCTAssertEqual(lines.count, 6)
    }
}
