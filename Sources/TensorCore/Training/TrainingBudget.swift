import Foundation

/// When a training session stops: at a total step count and/or after some training time.
public struct TrainingBudget: Equatable, Sendable {
    /// Train until this many steps are done in total (a resumed run counts the steps before).
    public var steps: Int?
    /// Training seconds over all sessions: a resumed run trains what is left of them.
    public var seconds: Double?

    public init(steps: Int? = nil, seconds: Double? = nil) {
        self.steps = steps
        self.seconds = seconds
    }
}

/// Why a training session ended.
public enum TrainingEnd: String, Sendable {
    case stepBudget = "step budget reached"
    case timeBudget = "time budget reached"
    case stopped = "stopped on request"
}
