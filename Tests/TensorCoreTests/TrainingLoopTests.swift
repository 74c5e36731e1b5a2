import Foundation
import TensorCore
import XCTest

/// The shared loop's budget, stop signal and cadences, around a trainer that only counts.
final class TrainingLoopTests: XCTestCase {
    final class CountingTrainer: Trainer {
        var step = 0
        var trainingSeconds = 0.0
        var plans: [Int] = []
        var sessionBudgets: [TrainingBudget] = []
        var secondsPerStep = 0.0

        func beginSession(budget: TrainingBudget) { sessionBudgets.append(budget) }
        func planSchedule(steps: Int) { plans.append(steps) }
        func trainStep() throws -> Int {
            if secondsPerStep > 0 { Thread.sleep(forTimeInterval: secondsPerStep) }
            step += 1
            return step
        }
    }

    /// Every event of a session, in order, as "event step".
    func events(_ loop: TrainingLoop<CountingTrainer>, shouldStop: @escaping () -> Bool = { false }) throws -> (
        TrainingEnd, [String]
    ) {
        var events: [String] = []
        loop.checkpoints?.save = { [unowned trainer = loop.trainer] final in
            events.append("\(final ? "final" : "save") \(trainer.step)")
        }
        let end = try loop.run(
            shouldStop: shouldStop, onStep: { events.append("step \($0)") },
            onLog: { events.append("log \($0)") }, onEvaluate: { events.append("eval \($0)") },
            onCheckpoint: { events.append("saved \($0)") })
        return (end, events)
    }

    func testCadencesAndTheEndOfAStepBudget() throws {
        let trainer = CountingTrainer()
        let loop = TrainingLoop(
            trainer: trainer, budget: TrainingBudget(steps: 5), checkpoints: CheckpointCadence(every: 2) { _ in })
        loop.logEvery = 2
        loop.evaluateEvery = 3
        loop.evaluateAtEnd = true
        let (end, events) = try self.events(loop)
        XCTAssertEqual(end, .stepBudget)
        XCTAssertEqual(
            events,
            [
                "step 1", "step 2", "log 2", "save 2", "saved 2", "step 3", "eval 3", "step 4", "log 4", "save 4",
                "saved 4",
                "step 5", "log 5", "final 5", "eval 5",
            ])
        XCTAssertEqual(trainer.sessionBudgets, [TrainingBudget(steps: 5)])
        XCTAssertEqual(trainer.plans, [], "a step budget is not planned")
    }

    /// The last step just saved and evaluated: neither is repeated; a stop request skips the
    /// final evaluation but not the final save.
    func testNothingIsDoneTwiceAndAStopEndsWithoutTheFinalEvaluation() throws {
        let trainer = CountingTrainer()
        let loop = TrainingLoop(
            trainer: trainer, budget: TrainingBudget(steps: 4), checkpoints: CheckpointCadence(every: 2) { _ in })
        loop.logEvery = 2
        loop.evaluateEvery = 4
        loop.evaluateAtEnd = true
        XCTAssertEqual(try events(loop).1.suffix(4), ["log 4", "eval 4", "save 4", "saved 4"])

        let stopped = TrainingLoop(
            trainer: CountingTrainer(), budget: TrainingBudget(steps: 10),
            checkpoints: CheckpointCadence(every: 4) { _ in })
        stopped.evaluateAtEnd = true
        let (end, events) = try self.events(stopped, shouldStop: { stopped.trainer.step >= 3 })
        XCTAssertEqual(end, .stopped)
        XCTAssertEqual(events, ["step 1", "step 2", "step 3", "log 3", "final 3"])
    }

    /// A resumed session whose budget is spent trains nothing and saves nothing.
    func testASpentBudgetTrainsNothing() throws {
        let trainer = CountingTrainer()
        trainer.step = 6
        let loop = TrainingLoop(
            trainer: trainer, budget: TrainingBudget(steps: 6), checkpoints: CheckpointCadence(every: 4) { _ in })
        loop.evaluateAtEnd = true
        let (end, events) = try self.events(loop)
        XCTAssertEqual(end, .stepBudget)
        XCTAssertEqual(events, [])
    }

    /// Paused time (evaluation) is neither training time nor spent from the time budget, and a
    /// time budget alone is planned after the calibration steps.
    func testPausedTimeIsNotTrainingTimeAndATimeBudgetIsPlanned() throws {
        let trainer = CountingTrainer()
        trainer.secondsPerStep = 0.02
        trainer.trainingSeconds = 0.1  // an earlier session's
        let loop = TrainingLoop(trainer: trainer, budget: TrainingBudget(seconds: 0.5))
        loop.evaluateEvery = 2
        let start = DispatchTime.now().uptimeNanoseconds
        let end = try loop.run(onEvaluate: { _ in Thread.sleep(forTimeInterval: 0.05) })
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        XCTAssertEqual(end, .timeBudget)
        XCTAssertGreaterThanOrEqual(trainer.trainingSeconds, 0.5)
        let paused = Double(trainer.step / 2) * 0.05
        XCTAssertGreaterThan(paused, 0.3, "evaluated \(trainer.step / 2) times")
        XCTAssertLessThanOrEqual(
            trainer.trainingSeconds - 0.1, wall - paused + 0.01, "paused time counted as training time")
        XCTAssertGreaterThan(trainer.plans.count, 0)
        XCTAssertGreaterThan(trainer.plans.first!, TimeBudgetPlanner.defaultCalibrationSteps)
    }
}
