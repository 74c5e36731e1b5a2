import Foundation

/// When a training session stops: at a total step count and/or after some wall-clock time.
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

/// Where and how often the trainer saves its checkpoint.
public struct CheckpointPolicy: Sendable {
    public var url: URL
    /// Save after every this many steps (and always when the session ends).
    public var every: Int

    public init(url: URL, every: Int) {
        self.url = url
        self.every = every
    }
}

/// Why a training session ended.
public enum FlowRunEnd: String, Sendable {
    case stepBudget = "step budget reached"
    case timeBudget = "time budget reached"
    case stopped = "stopped on request"
}
