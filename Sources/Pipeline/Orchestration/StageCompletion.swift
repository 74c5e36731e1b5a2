import Foundation

/// What `pipeline run` makes of a stage it has just run: record it in the ledger when its folder
/// holds a complete manifest, and stop when a stop was asked for.
///
/// The two are decided apart on purpose. A stop request (Ctrl-C, SIGTERM) is polled only by the
/// training loops and the long stage phases; one that arrives during a stage's final
/// evaluation or export is noticed by nobody until the stage has returned, by then often with
/// its complete manifest written. Such a stage is done: left unrecorded, the next `run` would
/// find a complete folder "made outside `pipeline run`" and, for a training stage, demand
/// `--force` to retrain what was just trained. So a complete manifest is recorded whatever the
/// stop flag says, and only a complete one is.
public enum StageCompletion {
    public enum Outcome: Equatable, Sendable {
        /// Complete and recorded; the run goes on to the next stage.
        case recorded
        /// Complete and recorded, and a stop was asked for: the run ends here.
        case recordedThenStopped
        /// Not complete (stopped part-way, e.g. with a checkpoint to resume from): not recorded.
        case stopped
    }

    /// Records `stage` of the run in `runFolder` in `ledger` when its folder holds a complete
    /// manifest (see `StageFolderDigest.manifestProblem`); `stopRequested` says whether a stop
    /// was asked for while it ran.
    /// - Throws: `StageCompletionError` when the stage returned without a complete manifest and
    ///   without a stop request (a stage that does so has failed without saying why); errors
    ///   hashing its artifacts.
    public static func finish(
        _ stage: RunStage, in ledger: inout RunLedger, runFolder: URL, key: String, settings: StageSettings,
        consumed: [String: String], stopRequested: Bool, cache: DigestCache
    ) throws -> Outcome {
        let folder = runFolder.appendingPathComponent(stage.folder)
        let manifest = folder.appendingPathComponent(StageFiles.manifest)
        let complete =
            FileManager.default.fileExists(atPath: manifest.path)
            && StageFolderDigest.manifestProblem(in: folder) == nil
        guard complete else {
            if stopRequested { return .stopped }
            throw StageCompletionError(
                "\(manifest.path): stage \(stage.rawValue) ended without a complete manifest; it was not recorded")
        }
        let outputs = try StageFolderDigest.measure(folder, only: stage.artifactFiles, cache: cache)
        var entry = ledger[stage] ?? RunLedger.Entry(startedKey: key)
        entry.record = StageRecord(
            key: key, settings: settings, codeVersion: stage.codeVersion, consumed: consumed, outputs: outputs)
        ledger[stage] = entry
        return stopRequested ? .recordedThenStopped : .recorded
    }
}

public struct StageCompletionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
