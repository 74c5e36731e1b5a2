import Foundation

/// The one training loop of every training stage: the budget, the stop signal, and the cadence of
/// logs, evaluations and checkpoints around a `Trainer`'s steps.
///
/// Per step: stop if the step budget is reached, the time budget spent or a stop requested; take
/// the step; count its time; revise the planned schedule (time budget alone); then `onStep`, every
/// `logEvery` steps `onLog`, every `evaluateEvery` steps `onEvaluate` (with the clock paused) and
/// every `checkpoints.every` steps a save. When the session ends: a last `onLog` for the steps
/// since the previous one, the final save (unless the last step was just saved) and, with
/// `evaluateAtEnd` and not on a stop request, a last evaluation (unless one was just made).
///
/// A time budget is the training time of all sessions together (a resumed run trains what is left
/// of it) and counts training only: what runs inside `pauseClock(during:)`, evaluation included,
/// is left out of it and of the trainer's `trainingSeconds`. With a time budget alone the schedule
/// length is planned from the speed of the recent steps and revised after every step
/// (`TimeBudgetPlanner`), so the decay ends when the time does.
///
/// It lives in TensorCore, beside the optimizers, so that the models' own tests train through it
/// without the pipeline, and it knows nothing of files or progress lines: those are its caller's.
public final class TrainingLoop<T: Trainer> {
    public let trainer: T
    public let budget: TrainingBudget
    public var checkpoints: CheckpointCadence?
    /// `onLog` every this many steps (0: only at the end of the session).
    public var logEvery = 0
    /// `onEvaluate` every this many steps (0: never during training).
    public var evaluateEvery = 0
    /// Evaluate once more when the session ends, unless stopped on request.
    public var evaluateAtEnd = false

    /// Seconds paused in the current session.
    private var pausedSeconds = 0.0

    public init(trainer: T, budget: TrainingBudget, checkpoints: CheckpointCadence? = nil) {
        self.trainer = trainer
        self.budget = budget
        self.checkpoints = checkpoints
    }

    /// Trains until the budget is spent or `shouldStop` says so (polled between steps). An error
    /// thrown by a step or an event ends the session without a further checkpoint.
    /// - Parameters:
    ///   - onStep: every step's report, after the training clock counted it.
    ///   - onLog: the step count, every `logEvery` steps and for the last steps of the session.
    ///   - onEvaluate: the step count, every `evaluateEvery` steps with the clock paused, and at
    ///     the end with `evaluateAtEnd`.
    ///   - onCheckpoint: the step of every periodic checkpoint once it is safely on disk.
    @discardableResult
    public func run(
        shouldStop: () -> Bool = { false },
        onStep: (T.StepReport) throws -> Void = { _ in },
        onLog: (Int) throws -> Void = { _ in },
        onEvaluate: (Int) throws -> Void = { _ in },
        onCheckpoint: (Int) -> Void = { _ in }
    ) throws -> TrainingEnd {
        trainer.beginSession(budget: budget)
        let sessionStart = DispatchTime.now().uptimeNanoseconds
        let secondsBefore = trainer.trainingSeconds
        pausedSeconds = 0
        /// Training seconds of this session: wall clock less the pauses.
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - sessionStart) / 1e9 - pausedSeconds }
        func updateClock() { trainer.trainingSeconds = secondsBefore + elapsed() }
        defer { updateClock() }
        // Only a time budget alone is planned: a step budget fixes the length.
        var planner = budget.seconds.flatMap { seconds in
            budget.steps == nil ? TimeBudgetPlanner(budgetSeconds: seconds) : nil
        }
        var sessionSteps = 0, lastLogged = trainer.step, lastSaved: Int?, lastEvaluated: Int?
        let end: TrainingEnd
        while true {
            var decision: TrainingEnd?
            if let steps = budget.steps, trainer.step >= steps {
                decision = .stepBudget
            } else if let seconds = budget.seconds, secondsBefore + elapsed() >= seconds {
                decision = .timeBudget
            } else if shouldStop() {
                decision = .stopped
            }
            if let agreed = try trainer.agreeOnSessionEnd(decision) {
                end = agreed
                break
            }
            let report = try trainer.trainStep()
            sessionSteps += 1
            updateClock()
            if let planned = planner?.plan(step: trainer.step, trainedSeconds: trainer.trainingSeconds) {
                trainer.planSchedule(steps: planned)
            }
            let step = trainer.step
            try onStep(report)
            if logEvery > 0, step % logEvery == 0 {
                try onLog(step)
                lastLogged = step
            }
            if evaluateEvery > 0, step % evaluateEvery == 0 {
                try pauseClock { try onEvaluate(step) }
                lastEvaluated = step
            }
            if let checkpoints, checkpoints.every > 0, step % checkpoints.every == 0 {
                updateClock()
                try checkpoints.save(false)
                lastSaved = step
                onCheckpoint(step)
            }
        }
        if trainer.step != lastLogged { try onLog(trainer.step) }
        updateClock()
        if let checkpoints, sessionSteps > 0, lastSaved != trainer.step {
            try checkpoints.save(true)
        }
        if evaluateAtEnd, end != .stopped, sessionSteps > 0, lastEvaluated != trainer.step {
            try onEvaluate(trainer.step)
        }
        return end
    }

    /// Runs `body` with the training clock stopped: its time counts neither against a time
    /// budget nor in `trainingSeconds` (for evaluation from `onStep`). Nothing it does may touch
    /// the training state, so a run with pauses trains exactly as one without.
    public func pauseClock<R>(during body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { pausedSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}

/// How often and how a `TrainingLoop` saves the trainer's state.
public struct CheckpointCadence {
    /// Save after every this many steps (and when the session ends).
    public var every: Int
    /// Writes the checkpoint; `final` is true for the save that ends the session.
    public var save: (_ final: Bool) throws -> Void

    public init(every: Int, save: @escaping (_ final: Bool) throws -> Void) {
        self.every = every
        self.save = save
    }
}
