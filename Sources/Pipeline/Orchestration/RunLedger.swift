import FileFormats
import Foundation

/// `artifacts/<run>/run-state.json`: per stage, the key it was last started with and, once it
/// completed, what it completed with (`StageRecord`). `status` and `run` compare the records
/// with the configuration and with what is on disk now, so the ledger stays truthful whatever
/// sequence of `run --only`, stage commands run by hand and crashes came before.
public struct RunLedger: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        /// The key the stage was last started with: an unfinished stage with the current key
        /// resumes from its checkpoint.
        public var startedKey: String?
        /// What the stage completed with; nil while it runs or after it failed.
        public var record: StageRecord?
        /// A completion recorded by pipeline 0.1, whose ledger kept only a fingerprint of the
        /// arguments and its outputs' digests (see `LegacyLedger`, which adopts such entries
        /// that still match; the others are judged stale, never trusted).
        public var legacyCompleted: String?
        public var legacyOutputs: StageFolderDigest?

        enum CodingKeys: String, CodingKey {
            case startedKey, record
            case legacyCompleted = "completed"
            case legacyOutputs = "outputs"
        }

        public init(startedKey: String? = nil, record: StageRecord? = nil) {
            self.startedKey = startedKey
            self.record = record
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

    public subscript(stage: RunStage) -> Entry? {
        get { stages[stage.rawValue] }
        set { stages[stage.rawValue] = newValue }
    }
}

/// What a stage completed with: the inputs of its key, and the digest of its outputs.
public struct StageRecord: Codable, Equatable, Sendable {
    /// `StageKey.of(…)` of the three below.
    public var key: String
    public var settings: StageSettings
    public var codeVersion: Int
    /// Upstream stage → the combined digest of its outputs that this stage read.
    public var consumed: [String: String]
    /// The stage's own artifacts when it completed.
    public var outputs: StageFolderDigest
    public var completedAt: String

    public init(
        key: String, settings: StageSettings, codeVersion: Int, consumed: [String: String],
        outputs: StageFolderDigest, completedAt: String = ISO8601DateFormatter().string(from: Date())
    ) {
        self.key = key
        self.settings = settings
        self.codeVersion = codeVersion
        self.consumed = consumed
        self.outputs = outputs
        self.completedAt = completedAt
    }
}

/// A stage's key: its canonical settings, its code version and the digests of the upstream
/// outputs it consumes. Equal keys mean the stage would make the same outputs again.
public enum StageKey {
    public static func of(_ stage: RunStage, settings: StageSettings, consumed: [String: String]) -> String {
        of(stage, settingsText: settings.canonicalText, consumed: consumed)
    }

    /// The key as ledgers written before the cadence settings left it computed it (see
    /// `StageSettings.canonicalTextWithCadence`).
    public static func withCadence(_ stage: RunStage, settings: StageSettings, consumed: [String: String]) -> String {
        of(stage, settingsText: settings.canonicalTextWithCadence, consumed: consumed)
    }

    static func of(_ stage: RunStage, settingsText: String, consumed: [String: String]) -> String {
        var text = "stage \(stage.rawValue)\ncode \(stage.codeVersion)\n\(settingsText)\n"
        for name in consumed.keys.sorted() { text += "consumed \(name) \(consumed[name]!)\n" }
        return SHA256.hash(text).hex
    }
}
