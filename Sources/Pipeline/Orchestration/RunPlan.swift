import Foundation

/// What `pipeline run` does with one stage, decided before anything runs (and again as each
/// stage comes, since what an upstream stage makes decides whether those below it are done).
public enum StageAction: Equatable, Sendable {
    /// Done for these settings and inputs: its outputs are used as they are.
    case reuse
    /// An interrupted training stage with the current key: continues from its checkpoint.
    case resume
    /// Runs (again), for the reason given; outputs already in its folder are moved aside first.
    case run(String)
    /// Would replace a trained model or checkpoint, which needs `--force`.
    case needsForce(String)
    /// Not run: an optional stage the configuration leaves off.
    case notEnabled
    /// Not run: outside `--only`/`--from`.
    case notSelected
    /// Another process is running it now.
    case busy(String)

    public var willRun: Bool {
        switch self {
        case .resume, .run: return true
        default: return false
        }
    }
}

/// Deciding a stage's action from its assessment.
public enum RunPlan {
    /// - Parameters:
    ///   - selected: inside `--only`/`--from` (every stage when neither is given).
    ///   - requested: named by `--only` or at or after `--from`: run even when done.
    ///   - upstreamRunning: a stage above it that runs in this invocation, if any: this one
    ///     is then expected to run too (its inputs may change).
    ///   - force: the user allows trained outputs to be moved aside and retrained.
    public static func action(
        for assessment: StageAssessment, selected: Bool, requested: Bool,
        upstreamRunning: RunStage?, force: Bool
    ) -> StageAction {
        let state = assessment.state
        if state == .notEnabled { return .notEnabled }
        if !selected { return .notSelected }
        if case .running = state { return .busy(state.description) }
        let reason: String
        if state == .done || (assessment.doneOnceUpstreamIsRebuilt && upstreamRunning == nil) {
            if requested {
                reason = "requested"
            } else if let upstreamRunning {
                reason = "upstream \(upstreamRunning.rawValue) runs first"
            } else {
                return .reuse
            }
        } else {
            if assessment.resumable { return .resume }
            if let upstreamRunning, case .stale(let why) = state, why.hasPrefix("upstream "),
                why.hasSuffix(" is not done")
            {
                reason = "upstream \(upstreamRunning.rawValue) runs first"
            } else {
                reason = state.description
            }
        }
        if assessment.holdsTraining && !force { return .needsForce(reason) }
        return .run(reason)
    }

    /// The plan for every stage, in order, from the assessments made now.
    public static func make(
        _ assessments: [RunStage: StageAssessment], only: RunStage?, from: RunStage?,
        force: Bool
    ) -> [(stage: RunStage, action: StageAction)] {
        var plan: [(stage: RunStage, action: StageAction)] = []
        var running: [RunStage] = []
        for stage in RunStage.allCases {
            let assessment = assessments[stage]!
            let (selected, requested) = selection(of: stage, only: only, from: from)
            let upstream = running.last { stage.dependsOn($0) }
            let action = action(
                for: assessment, selected: selected, requested: requested, upstreamRunning: upstream, force: force)
            if (action.willRun || action.isBlocking) && changesOutputs(assessment, action) { running.append(stage) }
            plan.append((stage, action))
        }
        return plan
    }

    /// Whether running the stage is expected to change its outputs, and so redo the stages that
    /// read them. A resumed training ends where the uninterrupted one would have, and a damaged
    /// artifact is rebuilt from unchanged settings and inputs to the same bytes: those stages
    /// are planned to leave the ones below alone (and if the rebuild does differ after all, the
    /// run judges them again when it gets there, and a trained model still needs `--force`).
    static func changesOutputs(_ assessment: StageAssessment, _ action: StageAction) -> Bool {
        if action == .resume { return false }
        if case .stale(let why) = assessment.state, why.hasPrefix("damaged artifact") { return false }
        return true
    }

    /// Whether `stage` is inside `--only`/`--from`, and whether it is asked for explicitly.
    public static func selection(of stage: RunStage, only: RunStage?, from: RunStage?) -> (
        selected: Bool, requested: Bool
    ) {
        if let only { return (stage == only, stage == only) }
        if let from {
            let inside = RunStage.allCases.firstIndex(of: stage)! >= RunStage.allCases.firstIndex(of: from)!
            return (inside, inside)
        }
        return (true, false)
    }
}

extension StageAction {
    /// A stage that would run but may not: those below it are planned as if it ran.
    var isBlocking: Bool {
        if case .needsForce = self { return true }
        return false
    }
}

extension RunStage {
    /// Whether this stage reads, directly or through others, the outputs of `other`.
    public func dependsOn(_ other: RunStage) -> Bool {
        upstream.contains(other) || upstream.contains { $0.dependsOn(other) }
    }
}
