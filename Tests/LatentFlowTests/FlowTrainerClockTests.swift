import Foundation
import LatentFlow
import TensorCore
import XCTest

/// The training clock: paused time (evaluation) is not spent from a time budget, and the
/// training time a checkpoint records is where a resumed run continues counting.
final class FlowTrainerClockTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fmf-flow-clock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// 1.2 s of pauses in the first four steps would end a 1 s budget if they counted.
    func testPausedTimeIsNotSpentFromTheTimeBudget() throws {
        let trainer = try FlowTrainerTests.trainer()
        let start = Self.now()
        let loop = TrainingLoop(trainer: trainer, budget: TrainingBudget(seconds: 1))
        let end = try loop.run(onStep: { report in
            if report.step <= 4 { loop.pauseClock { Thread.sleep(forTimeInterval: 0.3) } }
        })
        let wall = Self.now() - start
        XCTAssertEqual(end, .timeBudget)
        XCTAssertGreaterThan(trainer.step, 4, "the pauses were spent from the budget")
        XCTAssertGreaterThanOrEqual(trainer.trainingSeconds, 1)
        XCTAssertLessThanOrEqual(trainer.trainingSeconds, wall - 1.2 + 0.01, "paused time counted as training time")
    }

    /// Unpaused time is training time; the checkpoint keeps it and a resumed trainer goes on from it.
    func testTrainingSecondsContinueAcrossResume() throws {
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        let first = try FlowTrainerTests.trainer()
        try first.run(
            budget: TrainingBudget(steps: 3), checkpoint: (checkpoint, 10),
            onStep: { _ in Thread.sleep(forTimeInterval: 0.2) })
        XCTAssertGreaterThanOrEqual(first.trainingSeconds, 0.6)
        let saved = try FlowTrainer.checkpointSettings(at: checkpoint).trainingSeconds
        XCTAssertGreaterThanOrEqual(saved, 0.6)
        XCTAssertLessThanOrEqual(saved, first.trainingSeconds)

        let second = try FlowTrainerTests.trainer()
        XCTAssertEqual(second.trainingSeconds, 0)
        try second.resume(from: checkpoint)
        XCTAssertEqual(second.trainingSeconds, saved)
        try second.run(budget: TrainingBudget(steps: 5))
        XCTAssertGreaterThan(second.trainingSeconds, saved)
    }
}
