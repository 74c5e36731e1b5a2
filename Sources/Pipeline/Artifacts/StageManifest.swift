import FileFormats
import Foundation

/// A file a stage read or wrote, with its SHA-256.
public struct ManifestFile: Codable, Equatable, Sendable {
    /// What the file is to the stage ("autoencoder", "latents"…).
    public var role: String
    public var path: String
    public var bytes: Int
    public var sha256: String

    public init(role: String, path: String, bytes: Int, sha256: String) {
        self.role = role
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// Hashes the file at `url`, recorded under `path` (default: the file's own path).
    public static func hashing(_ url: URL, role: String, path: String? = nil) throws -> ManifestFile {
        let digest = try SHA256.hashFile(at: url)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return ManifestFile(role: role, path: path ?? url.path, bytes: bytes, sha256: digest.hex)
    }
}

/// `manifest.json` of a stage folder, written last and atomically: a stage whose folder has no
/// manifest with status "complete" is not done.
public struct StageManifest<Config: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public static var fileName: String { "manifest.json" }
    public static var completeStatus: String { "complete" }

    public var stage: String
    public var status: String
    public var pipelineVersion: String
    public var createdAt: String
    public var config: Config
    public var inputs: [ManifestFile]
    public var outputs: [ManifestFile]
    /// Seconds per phase ("total", "encode"…).
    public var timings: [String: Double]
    public var notes: [String]

    public init(
        stage: String, config: Config, inputs: [ManifestFile], outputs: [ManifestFile],
        timings: [String: Double], notes: [String] = []
    ) {
        self.stage = stage
        self.status = Self.completeStatus
        self.pipelineVersion = PipelineVersion.current
        self.createdAt = ISO8601DateFormatter().string(from: Date())
        self.config = config
        self.inputs = inputs
        self.outputs = outputs
        self.timings = timings
        self.notes = notes
    }

    public var isComplete: Bool { status == Self.completeStatus }

    public func write(to folder: URL) throws {
        try JSONFile.write(self, to: folder.appendingPathComponent(Self.fileName))
    }

    public static func read(from folder: URL) throws -> StageManifest {
        try JSONFile.read(StageManifest.self, from: folder.appendingPathComponent(fileName))
    }

    /// The manifest of `folder` if there is one and it says "complete" (nil otherwise).
    public static func complete(in folder: URL) -> StageManifest? {
        guard let manifest = try? read(from: folder), manifest.isComplete else { return nil }
        return manifest
    }

    /// Deletes the manifest of `folder`, so that the stage counts as not done while it is redone.
    public static func invalidate(in folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot remove the old manifest: \(error.localizedDescription)")
        }
    }

    /// The output with this role.
    public func output(_ role: String) -> ManifestFile? { outputs.first { $0.role == role } }
}

/// Finds an upstream stage's output and checks it is the file its complete manifest describes.
enum UpstreamArtifact {
    /// `folder/<file>` after checking `folder`'s manifest is complete and lists the file with
    /// the same SHA-256 (so a half-written or replaced file is never used).
    static func verified(_ file: String, in folder: URL, stage: String, producedBy command: String) throws -> (
        url: URL, hash: ManifestFile
    ) {
        let url = folder.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StageError("\(url.path): not found; run `\(command)` first")
        }
        struct AnyConfig: Codable, Equatable, Sendable {}
        let manifestURL = folder.appendingPathComponent(StageManifest<AnyConfig>.fileName)
        guard let data = FileManager.default.contents(atPath: manifestURL.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw StageError(
                "\(manifestURL.path): missing or unreadable, so \(url.path) may be incomplete; run `\(command)` again")
        }
        guard object["status"] as? String == "complete" else {
            throw StageError("\(manifestURL.path): the \(stage) stage did not complete; run `\(command)` again")
        }
        let outputs = (object["outputs"] as? [[String: Any]]) ?? []
        guard
            let entry = outputs.first(where: {
                ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } == file
            }),
            let expected = entry["sha256"] as? String
        else {
            throw StageError("\(manifestURL.path): does not list \(file); run `\(command)` again")
        }
        let actual = try ManifestFile.hashing(url, role: stage)
        guard actual.sha256 == expected else {
            throw StageError(
                "\(url.path): its SHA-256 differs from the one in \(manifestURL.path) (changed or half-written); run `\(command)` again"
            )
        }
        return (url, actual)
    }
}
