/// A model's trainer as `TrainingLoop` drives it: one optimizer step at a time, a count of steps
/// and of training seconds, and a learning-rate schedule whose length may be planned from a time
/// budget. Checkpoints, logs and evaluation are the loop's caller's, through the loop's events.
public protocol Trainer: AnyObject {
    /// What one step reports (loss, learning rate, gradient norm…).
    associatedtype StepReport

    /// Steps completed; the next step has this 0-based index.
    var step: Int { get }
    /// Training seconds over all sessions (a resumed run continues the count). The loop keeps it
    /// up to date, without the time it spent paused (evaluation).
    var trainingSeconds: Double { get set }

    /// Called once before a session's first step: fixes the schedule's length from a step budget
    /// as the trainer's resume rules say.
    func beginSession(budget: TrainingBudget)
    /// A time budget's planned total number of steps (`TimeBudgetPlanner`), revised after every
    /// step of a session that has only a time budget. A trainer whose length is fixed otherwise
    /// ignores it.
    func planSchedule(steps: Int)
    /// One optimizer step: batch → loss → backward → clip → optimizer → EMA.
    func trainStep() throws -> StepReport
    /// Called before every step with the loop's decision to end the session (nil: go on), and
    /// returns the decision to take. A trainer that trains together with other processes makes
    /// all of them take the same one, and keeps their planned schedules alike, so they stop after
    /// the same step; alone (the default), the decision as given.
    func agreeOnSessionEnd(_ decision: TrainingEnd?) throws -> TrainingEnd?
}

extension Trainer {
    public func agreeOnSessionEnd(_ decision: TrainingEnd?) throws -> TrainingEnd? { decision }
}
