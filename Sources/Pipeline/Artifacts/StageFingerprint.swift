import FileFormats
import Foundation

/// How a stage's fingerprint is computed: SHA-256 over the stage name, the code version,
/// the canonical configuration JSON and the upstream fingerprints in a fixed order.
public enum StageFingerprint {
    public static func compute(stage: PipelineStage, configuration: String, upstream: [String: String],
                               codeVersion: String) -> String {
        var text = "stage=\(stage.rawValue)\ncode=\(codeVersion)\nconfig=\(configuration)\n"
        for key in upstream.keys.sorted() { text += "input.\(key)=\(upstream[key]!)\n" }
        return SHA256.hash(text).hex
    }

    /// Canonical JSON (sorted keys) of a configuration value, the form fingerprints hash.
    public static func canonicalJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
