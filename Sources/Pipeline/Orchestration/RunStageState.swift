import Datasets
import Foundation

/// Where a stage stands, as `pipeline status` shows it and `pipeline run` decides on.
public enum RunStageState: Equatable, Sendable, CustomStringConvertible {
    case done
    case stale(String)
    case missing
    /// An optional stage the configuration does not enable.
    case notEnabled
    /// A process holds the stage folder's lock right now.
    case running(pid: Int32?)

    public var description: String {
        switch self {
        case .done: return "done"
        case .stale(let why): return "stale: \(why)"
        case .missing: return "missing"
        case .notEnabled: return "not enabled"
        case .running(let pid?): return "running (pid \(pid))"
        case .running(nil): return "running"
        }
    }

    /// One word for scripts (`status --json`).
    public var name: String {
        switch self {
        case .done: return "done"
        case .stale: return "stale"
        case .missing: return "missing"
        case .notEnabled: return "not-enabled"
        case .running: return "running"
        }
    }

    public static let interrupted = RunStageState.stale("interrupted before it finished")
}

/// One stage judged against the configuration, its ledger entry and the files on disk.
public struct StageAssessment: Equatable, Sendable {
    public var stage: RunStage
    public var state: RunStageState
    /// The settings the configuration gives the stage now.
    public var settings: StageSettings
    /// The digests of the upstream outputs it would read now; nil while an upstream is not done.
    public var consumed: [String: String]?
    /// The stage's key now (nil while an upstream is not done).
    public var key: String?
    /// An interrupted training stage started with the current key, whose checkpoint is there.
    public var resumable: Bool
    /// The stage folder holds a trained model or a training checkpoint: hours of work that a
    /// rerun must not replace without `--force`.
    public var holdsTraining: Bool
    /// Stale only because an upstream stage is not done, and done if that stage is rebuilt to
    /// the outputs it had (a damaged artifact rebuilt, an interrupted training resumed).
    public var doneOnceUpstreamIsRebuilt = false
    /// Something worth saying that does not change the state: a cache whose source folder is
    /// missing now is still done (it is what it was), and `status` says the source is gone.
    public var note: String?

    public init(
        stage: RunStage, state: RunStageState, settings: StageSettings, consumed: [String: String]?, key: String?,
        resumable: Bool, holdsTraining: Bool
    ) {
        self.stage = stage
        self.state = state
        self.settings = settings
        self.consumed = consumed
        self.key = key
        self.resumable = resumable
        self.holdsTraining = holdsTraining
    }
}

extension StageAssessment {
    /// Judges `stage` of the run in `runFolder`; `upstream` holds the assessments of the stages
    /// before it (in `RunStage` order).
    public static func judge(
        _ stage: RunStage, config: RunConfig, runFolder: URL, ledger: RunLedger,
        settings: StageSettings, upstream: [RunStage: StageAssessment],
        cache: DigestCache
    ) -> StageAssessment {
        let folder = runFolder.appendingPathComponent(stage.folder)
        let manager = FileManager.default
        let holdsTraining =
            stage.resumable
            && [StageFiles.model, StageFiles.checkpoint].contains {
                manager.fileExists(atPath: folder.appendingPathComponent($0).path)
            }
        var result = StageAssessment(
            stage: stage, state: .missing, settings: settings, consumed: nil, key: nil,
            resumable: false, holdsTraining: holdsTraining)
        guard config.isEnabled(stage) else {
            result.state = .notEnabled
            return result
        }
        var consumed: [String: String]? = [:]
        for up in stage.upstream where config.isEnabled(up) {
            guard upstream[up]?.state == .done, let outputs = ledger[up]?.record?.outputs else {
                consumed = nil
                break
            }
            consumed?[up.rawValue] = outputs.combined
        }
        result.consumed = consumed
        result.key = consumed.map { StageKey.of(stage, settings: settings, consumed: $0) }
        result.state = state(
            of: stage, folder: folder, entry: ledger[stage], assessment: result, config: config,
            upstream: upstream, cache: cache)
        if case .stale(let why) = result.state, why.hasPrefix(upstreamNotDone), why.hasSuffix(" is not done") {
            // Judged as if every upstream stage had its recorded outputs again.
            var recorded: [String: String]? = [:]
            for up in stage.upstream where config.isEnabled(up) {
                guard let outputs = ledger[up]?.record?.outputs else {
                    recorded = nil
                    break
                }
                recorded?[up.rawValue] = outputs.combined
            }
            if let recorded {
                var predicted = result
                predicted.consumed = recorded
                result.doneOnceUpstreamIsRebuilt =
                    ownState(
                        of: stage, folder: folder, entry: ledger[stage],
                        assessment: predicted, cache: cache) == .done
            }
        }
        if stage == .prepare, result.state == .done {
            // The cache's key holds its source folder as a path: whether the files in it are still
            // those the cache was made from is asked of the folder itself.
            switch CacheSourceCheck.check(cacheFolder: folder) {
            case .unchanged: break
            case .changed(let why): result.state = .stale(why)
            case .missing(let why): result.note = why
            }
        }
        let checkpoint = folder.appendingPathComponent(StageFiles.checkpoint)
        result.resumable =
            stage.resumable && result.state == .interrupted && result.key != nil
            && startedWithCurrentKey(ledger[stage], result) && manager.fileExists(atPath: checkpoint.path)
        return result
    }

    /// Whether the stage was last started with its current key, or with the form the key had
    /// before the cadence settings left it (a ledger of an earlier version, interrupted).
    static func startedWithCurrentKey(_ entry: RunLedger.Entry?, _ assessment: StageAssessment) -> Bool {
        guard let started = entry?.startedKey, let key = assessment.key, let consumed = assessment.consumed else {
            return false
        }
        return started == key
            || started == StageKey.withCadence(assessment.stage, settings: assessment.settings, consumed: consumed)
    }

    private static func state(
        of stage: RunStage, folder: URL, entry: RunLedger.Entry?, assessment: StageAssessment,
        config: RunConfig, upstream: [RunStage: StageAssessment], cache: DigestCache
    ) -> RunStageState {
        if let holder = RunLock.holder(of: folder.path) { return .running(pid: holder.pid) }
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder.appendingPathComponent(StageFiles.manifest).path) else {
            let contents = (try? manager.contentsOfDirectory(atPath: folder.path))?.filter { !$0.hasPrefix(".") } ?? []
            guard !contents.isEmpty else { return .missing }
            if startedWithCurrentKey(entry, assessment) { return .interrupted }
            return .stale("left unfinished by an earlier run")
        }
        if let bad = stage.upstream.first(where: { config.isEnabled($0) && upstream[$0]?.state != .done }) {
            return .stale("\(upstreamNotDone)\(bad.rawValue) is not done")
        }
        return ownState(of: stage, folder: folder, entry: entry, assessment: assessment, cache: cache)
    }

    private static let upstreamNotDone = "upstream "

    /// The judgement of a completed stage whose upstream stages are done (or assumed so): its
    /// record against the current settings, code, consumed outputs and its own files.
    private static func ownState(
        of stage: RunStage, folder: URL, entry: RunLedger.Entry?, assessment: StageAssessment,
        cache: DigestCache
    ) -> RunStageState {
        guard let record = entry?.record else {
            if entry?.legacyCompleted != nil {
                return .stale("recorded by pipeline 0.1, whose ledger kept no record of its settings")
            }
            return .stale("made outside `pipeline run` (no record of its settings)")
        }
        if record.codeVersion != stage.codeVersion {
            return .stale("its code changed (version \(record.codeVersion) → \(stage.codeVersion))")
        }
        let changes = assessment.settings.changes(from: record.settings)
        if !changes.isEmpty { return .stale("settings changed: " + StageAssessment.summary(changes)) }
        if let consumed = assessment.consumed, consumed != record.consumed {
            let names = Set(consumed.keys).union(record.consumed.keys).sorted()
            let name = names.first { consumed[$0] != record.consumed[$0] }!
            if record.consumed[name] == nil { return .stale("it now reads \(name), which it did not read when it ran") }
            if consumed[name] == nil { return .stale("it read \(name), which is no longer enabled") }
            return .stale("upstream \(name)'s outputs changed since it read them")
        }
        if let problem = StageFolderDigest.manifestProblem(in: folder) { return .stale("damaged artifact: \(problem)") }
        // Re-hashing (through the cache) is what catches a truncated or edited artifact that
        // still has its manifest.
        guard let current = try? StageFolderDigest.measure(folder, only: stage.artifactFiles, cache: cache) else {
            return .stale("its folder cannot be read")
        }
        if let difference = record.outputs.restricted(to: stage.artifactFiles).differences(to: current) {
            return .stale("damaged artifact: \(difference)")
        }
        return .done
    }

    /// The first few of `changes`, and how many more.
    static func summary(_ changes: [String]) -> String {
        let shown = changes.prefix(3).joined(separator: "; ")
        return changes.count > 3 ? "\(shown); and \(changes.count - 3) more" : shown
    }
}

/// Assessing every stage of a run in order.
public enum RunAssessment {
    /// Every stage in `RunStage` order; `settings` gives each stage's settings (the CLI parses
    /// the configuration's options into the stage's typed options).
    public static func assess(
        config: RunConfig, runFolder: URL, ledger: RunLedger, settings: [RunStage: StageSettings],
        cache: DigestCache
    ) -> [RunStage: StageAssessment] {
        var result: [RunStage: StageAssessment] = [:]
        for stage in RunStage.allCases {
            result[stage] = StageAssessment.judge(
                stage, config: config, runFolder: runFolder, ledger: ledger,
                settings: settings[stage] ?? StageSettings(values: [:]),
                upstream: result, cache: cache)
        }
        return result
    }
}
