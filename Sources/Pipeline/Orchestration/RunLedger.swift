import FileFormats
import Foundation

/// `artifacts/<run>/run-state.json`: for each stage, the fingerprint it was started with and the
/// one it completed with. A fingerprint covers the stage's arguments, its upstream fingerprints and
/// the code version, so a changed setting or a retrained upstream changes every stage below it.
public struct RunLedger: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var started: String?
        public var completed: String?
        /// The stage folder's files when it completed (absent in ledgers of older versions).
        public var outputs: StageFolderDigest?

        public init(started: String? = nil, completed: String? = nil, outputs: StageFolderDigest? = nil) {
            self.started = started
            self.completed = completed
            self.outputs = outputs
        }
    }

    public static let fileName = "run-state.json"
    public var stages: [String: Entry] = [:]

    public init() {}

    public static func load(runFolder: URL) throws -> RunLedger {
        let url = runFolder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return RunLedger() }
        return try JSONFile.read(RunLedger.self, from: url)
    }

    public func save(runFolder: URL) throws {
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        try JSONFile.write(self, to: runFolder.appendingPathComponent(RunLedger.fileName))
    }

    /// Fingerprints of every stage for `config`, each chained to its upstream ones.
    public static func fingerprints(_ config: RunConfig) -> [RunStage: String] {
        var result: [RunStage: String] = [:]
        for stage in RunStage.allCases {
            var text = "stage \(stage.rawValue)\ncode \(PipelineVersion.current)\n"
            text += config.arguments(for: stage).joined(separator: "\u{1F}") + "\n"
            // A stage that does not run gives nothing to those below it.
            for up in stage.upstream where config.isEnabled(up) { text += "upstream \(up.rawValue) \(result[up]!)\n" }
            result[stage] = SHA256.hash(text).hex
        }
        return result
    }
}

/// Where a stage stands, as `pipeline status` shows it and `pipeline run` decides on.
public enum RunStageState: Equatable, Sendable, CustomStringConvertible {
    case done
    case stale(String)
    case missing
    /// An optional stage the configuration does not enable.
    case notEnabled

    public var description: String {
        switch self {
        case .done: return "done"
        case .stale(let why): return "stale: \(why)"
        case .missing: return "missing"
        case .notEnabled: return "not enabled"
        }
    }

    /// Judges one stage from its folder, its ledger entry and the fingerprint the configuration gives.
    public static func of(_ stage: RunStage, runFolder: URL, ledger: RunLedger, fingerprint: String,
                          upstreamStates: [RunStage: RunStageState]) -> RunStageState {
        let folder = runFolder.appendingPathComponent(stage.folder)
        let manifest = folder.appendingPathComponent("manifest.json")
        let entry = ledger.stages[stage.rawValue]
        guard FileManager.default.fileExists(atPath: manifest.path) else {
            if FileManager.default.fileExists(atPath: folder.path) {
                return .stale(entry?.started == fingerprint
                              ? "interrupted before it finished" : "left unfinished by an earlier run")
            }
            return .missing
        }
        if let bad = stage.upstream.first(where: { upstreamStates[$0] != .done && upstreamStates[$0] != .notEnabled }) {
            return .stale("upstream \(bad.rawValue) is not done")
        }
        guard let completed = entry?.completed else { return .stale("made outside `pipeline run` (no record of its settings)") }
        guard completed == fingerprint else { return .stale("its settings or an upstream stage changed") }
        if let problem = StageFolderDigest.manifestProblem(in: folder) { return .stale("damaged artifact: \(problem)") }
        if let recorded = entry?.outputs {
            // Re-hashing is what catches a truncated or edited artifact that still has its manifest.
            guard let current = try? StageFolderDigest.measure(folder, only: stage.artifactFiles) else {
                return .stale("its folder cannot be read")
            }
            if let difference = recorded.restricted(to: stage.artifactFiles).differences(to: current) { return .stale("damaged artifact: \(difference)") }
        }
        return .done
    }
}
