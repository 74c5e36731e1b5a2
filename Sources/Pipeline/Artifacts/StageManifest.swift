import FileFormats
import Foundation

/// The record a stage leaves in its folder (`manifest.json`), written last and atomically:
/// a stage without a complete manifest is not done, however many files it left.
///
/// `fingerprint` condenses everything the outputs depend on — the stage's effective
/// configuration, the fingerprints and output hashes of its upstream stages, the code
/// version — so a later run can tell whether the outputs are still valid without rerunning.
public struct StageManifest: Codable, Equatable, Sendable {
    public static let fileName = "manifest.json"

    public var stage: PipelineStage
    public var status: String
    public var fingerprint: String
    /// The effective configuration, as canonical JSON text.
    public var configuration: String
    /// Upstream stage → its fingerprint when this stage ran.
    public var inputs: [String: String]
    /// Output file (relative to the stage folder) → SHA-256.
    public var outputs: [String: String]
    public var codeVersion: String
    public var startedAt: Date
    public var finishedAt: Date
    public var seconds: Double
    /// Stage-specific figures for people (counts, metrics, …).
    public var summary: [String: String]

    public static let complete = "complete"

    public init(stage: PipelineStage, fingerprint: String, configuration: String, inputs: [String: String],
                outputs: [String: String], codeVersion: String, startedAt: Date, finishedAt: Date,
                summary: [String: String] = [:]) {
        self.stage = stage
        self.status = StageManifest.complete
        self.fingerprint = fingerprint
        self.configuration = configuration
        self.inputs = inputs
        self.outputs = outputs
        self.codeVersion = codeVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.seconds = finishedAt.timeIntervalSince(startedAt)
        self.summary = summary
    }

    public static func read(in folder: URL) throws -> StageManifest {
        try JSONFile.read(StageManifest.self, from: folder.appendingPathComponent(fileName))
    }

    public func write(in folder: URL) throws {
        try JSONFile.write(self, to: folder.appendingPathComponent(StageManifest.fileName))
    }

    /// SHA-256 of every listed output, so a manifest can vouch for exactly those bytes.
    public static func hashOutputs(_ relativePaths: [String], in folder: URL) throws -> [String: String] {
        var hashes: [String: String] = [:]
        for path in relativePaths {
            hashes[path] = try SHA256.hashFile(at: folder.appendingPathComponent(path)).hex
        }
        return hashes
    }
}
