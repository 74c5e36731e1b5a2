import FileFormats
import Foundation

/// `manifest.json` of the autoencoder stage, written last: what went in (with hashes), what
/// came out (with hashes), the effective options, timings, and status "complete".
public struct TrainAEManifest: Codable, Equatable, Sendable {
    public struct FileEntry: Codable, Equatable, Sendable {
        /// Path relative to the run folder (inputs) or the stage folder (outputs).
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    public struct Timings: Codable, Equatable, Sendable {
        /// Training seconds over all invocations (resumes included).
        public var trainingSeconds: Double
        public var evaluationSeconds: Double
        public var steps: Int
        public var imagesPerSecond: Double
    }

    public var stage = TrainAEStage.folderName
    public var status = "complete"
    public var pipelineVersion = PipelineVersion.current
    public var createdAt: String
    public var options: TrainAEOptions
    public var model: String
    public var inputs: [FileEntry]
    public var outputs: [FileEntry]
    public var timings: Timings
    public var evaluation: AutoencoderEvaluationReport?

    public static let fileName = "manifest.json"

    /// Reads the manifest of a stage folder.
    public static func read(from folder: URL) throws -> TrainAEManifest {
        try JSONFile.read(TrainAEManifest.self, from: folder.appendingPathComponent(fileName))
    }

    /// A hashed entry for `url`, named `name`.
    static func entry(_ url: URL, name: String) throws -> FileEntry {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let bytes = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        return FileEntry(name: name, bytes: bytes, sha256: try SHA256.hashFile(at: url).hex)
    }

    /// ISO 8601 time of now, UTC.
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
