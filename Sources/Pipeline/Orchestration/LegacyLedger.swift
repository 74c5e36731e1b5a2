import FileFormats
import Foundation

/// Run folders made by pipeline 0.1 carry on: their ledger recorded, per completed stage, a
/// fingerprint of the stage's command-line arguments (chained through its upstream stages) and
/// the digests of its artifacts. Where that fingerprint is what the current configuration gives
/// and the artifacts are unchanged, the stage was made with exactly these settings from exactly
/// these inputs, and its entry is turned into a record of today's kind, so an upgrade never
/// makes hours of training look stale. Anything else stays unadopted and is judged stale.
public enum LegacyLedger {
    /// The version string pipeline 0.1 put into every fingerprint.
    static let version = "0.1.0"
    /// The code version of every stage as pipeline 0.1 ran it.
    static let codeVersion = 1

    /// pipeline 0.1's fingerprints of every stage for `config`.
    public static func fingerprints(_ config: RunConfig) -> [RunStage: String] {
        var result: [RunStage: String] = [:]
        for stage in RunStage.allCases {
            var text = "stage \(stage.rawValue)\ncode \(version)\n"
            text += config.arguments(for: stage).joined(separator: "\u{1F}") + "\n"
            for up in stage.upstream where config.isEnabled(up) { text += "upstream \(up.rawValue) \(result[up]!)\n" }
            result[stage] = SHA256.hash(text).hex
        }
        return result
    }

    /// Adopts, in stage order, every 0.1 entry whose fingerprint matches `config` and whose
    /// artifacts are unchanged (and whose upstream stages have records); returns the stages adopted.
    @discardableResult
    public static func adopt(
        _ ledger: inout RunLedger, config: RunConfig, runFolder: URL,
        settings: [RunStage: StageSettings], cache: DigestCache
    ) -> [RunStage] {
        guard RunStage.allCases.contains(where: { ledger[$0]?.legacyCompleted != nil }) else { return [] }
        let fingerprints = fingerprints(config)
        var adopted: [RunStage] = []
        for stage in RunStage.allCases where config.isEnabled(stage) {
            guard let entry = ledger[stage], entry.record == nil, entry.legacyCompleted == fingerprints[stage],
                let recorded = entry.legacyOutputs, let settings = settings[stage]
            else { continue }
            var consumed: [String: String] = [:]
            var upstreamRecorded = true
            for up in stage.upstream where config.isEnabled(up) {
                guard let outputs = ledger[up]?.record?.outputs else {
                    upstreamRecorded = false
                    break
                }
                consumed[up.rawValue] = outputs.combined
            }
            let folder = runFolder.appendingPathComponent(stage.folder)
            guard upstreamRecorded, StageFolderDigest.manifestProblem(in: folder) == nil,
                let current = try? StageFolderDigest.measure(folder, only: stage.artifactFiles, cache: cache),
                recorded.restricted(to: stage.artifactFiles).differences(to: current) == nil
            else { continue }
            // Made by pipeline 0.1's code: version 1 of every stage, stale once the stage's code moved on.
            ledger[stage]?.record = StageRecord(
                key: StageKey.of(stage, settings: settings, consumed: consumed), settings: settings,
                codeVersion: codeVersion, consumed: consumed, outputs: current)
            adopted.append(stage)
        }
        return adopted
    }
}
