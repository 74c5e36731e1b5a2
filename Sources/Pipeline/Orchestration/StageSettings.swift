import FileFormats
import Foundation

/// The settings a stage runs with, in a canonical form: the stage's typed options (what its
/// command parsed, e.g. `TrainFlowStage.Options`) flattened to dotted keys with JSON values.
///
/// Typed, so `--minutes 5`, `5.0` and `5e0` are one setting, and `1e-4` is `0.0001`. Paths are
/// resolved: inside the run folder they are written relative to it (`<run>/autoencoder/…`), so a
/// run folder can be moved or its artifacts folder renamed without any stage going stale;
/// outside it they are absolute, so `./data` and `data` agree. Where the stage writes
/// (`output`, `run`, `artifacts`), how it starts (`resume`, `restart`, `force`, `threads`) and
/// which options were named rather than defaulted (`namedOptions`: the values are settings, not
/// how they were spelled) are not settings of its outputs and are left out. How often a stage
/// writes files that nothing reads as an input (`cadenceKeys`: checkpoints, log lines, grids) is
/// kept, but is not part of the key and never makes a stage stale: it changes neither a model nor
/// a metric.
public struct StageSettings: Codable, Equatable, Sendable {
    /// Dotted key (`training.learningRate`) → the value as JSON text (`0.0002`, `"quantized"`, `[1,2]`).
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// Leaf names that never count as settings (see the type's documentation).
    public static let excludedKeys: Set<String> = [
        "run", "artifacts", "output", "resume", "restart", "force", "threads", "namedOptions",
    ]
    /// Leaf names of settings that only set how often files are written: checkpoints
    /// (`checkpointEvery`; a resumed run continues exactly from any of them), metrics log lines
    /// (`logEvery`: the loss averaged over fewer or more steps, the same training) and
    /// reconstruction grids (`gridEvery`, drawn with the training clock paused and the training
    /// state untouched). Not `evalEvery`: it decides which SWD points the training curve has,
    /// a metric the reports show.
    public static let cadenceKeys: Set<String> = ["checkpointEvery", "logEvery", "gridEvery"]
    /// Leaf names of options that are sets: encoded in hash order, so sorted here.
    public static let setKeys: Set<String> = ["realSubsets", "generatedSubsets"]
    /// Keys whose values are file or folder paths (dotted, as flattened: `training.path` is the
    /// flow's probability path, not a file). Compare nests train-flow's options in two places.
    public static let pathKeys: Set<String> = {
        let flow = ["latents", "dataset", "autoencoder"]
        return Set(
            [
                "data", "dataset", "latents", "autoencoder", "model", "fromLatents", "decoderFineTuneSource",
                "generatedLatents.path", "generated", "real",
            ]
                + flow.map { "latentTraining.\($0)" } + flow.map { "pixelTraining.\($0)" })
    }()

    /// The canonical settings of `options`; relative paths are resolved against `base` (the
    /// working directory the stage runs in).
    public init<Options: Encodable>(_ options: Options, runFolder: URL, base: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(options), options: [.fragmentsAllowed])
        var values: [String: String] = [:]
        let run = runFolder.standardizedFileURL.path
        func flatten(_ value: Any, key: String) throws {
            let leaf = key.split(separator: ".").last.map(String.init) ?? key
            if Self.excludedKeys.contains(leaf) { return }
            if let dictionary = value as? [String: Any] {
                for (name, inner) in dictionary { try flatten(inner, key: key.isEmpty ? name : "\(key).\(name)") }
                return
            }
            var value = value
            if Self.pathKeys.contains(key), let path = value as? String {
                value = Self.canonicalPath(path, runFolder: run, base: base)
            }
            if Self.setKeys.contains(leaf), let members = value as? [Any] {
                value = try members.map { try Self.json($0) }.sorted().map {
                    try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed])
                }
            }
            values[key] = try Self.json(value)
        }
        try flatten(object, key: "")
        self.values = values
    }

    /// A JSON value as canonical text (keys sorted).
    static func json(_ value: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(
                withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]),
            as: UTF8.self)
    }

    /// `path` resolved against `base`: `<run>/…` inside the run folder, absolute outside it.
    static func canonicalPath(_ path: String, runFolder: String, base: URL) -> String {
        let absolute = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path))
            .standardizedFileURL.path
        if absolute == runFolder { return "<run>" }
        if absolute.hasPrefix(runFolder + "/") { return "<run>/" + absolute.dropFirst(runFolder.count + 1) }
        return absolute
    }

    /// One line per setting but the cadence, sorted: what the stage's key hashes.
    public var canonicalText: String {
        values.keys.filter { !Self.isCadence($0) }.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: "\n")
    }

    /// What the key hashed before the cadence was left out of it: ledgers written then hold
    /// stages started with such keys, which an interrupted run still resumes.
    public var canonicalTextWithCadence: String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: "\n")
    }

    /// Whether the dotted `key` is a cadence setting (see `cadenceKeys`).
    public static func isCadence(_ key: String) -> Bool {
        cadenceKeys.contains(key.split(separator: ".").last.map(String.init) ?? key)
    }

    /// What differs from `recorded` (the settings a stage completed with), one "key: old → new"
    /// per setting, sorted by key; empty when they agree. The cadence is not compared.
    public func changes(from recorded: StageSettings) -> [String] {
        Set(values.keys).union(recorded.values.keys).filter { !Self.isCadence($0) }.sorted().compactMap { key in
            let old = recorded.values[key], new = values[key]
            guard old != new else { return nil }
            return "\(key): \(old ?? "(unset)") → \(new ?? "(unset)")"
        }
    }
}
