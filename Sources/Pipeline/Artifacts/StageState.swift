import Foundation

/// Where a stage stands in a run folder, as `pipeline status` shows it.
public enum StageState: Equatable, Sendable, CustomStringConvertible {
    case done(StageManifest)
    case stale(reason: String)
    case missing

    public var isDone: Bool {
        if case .done = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .done(let m): return String(format: "done (%.0f s, %@)", m.seconds, m.finishedAt.description)
        case .stale(let reason): return "stale: \(reason)"
        case .missing: return "missing"
        }
    }

    /// Judges a stage folder against the fingerprint the current configuration and upstream give.
    /// Outputs are re-hashed when `verifyHashes` is set, so a truncated or edited artifact is caught.
    public static func inspect(folder: URL, expectedFingerprint: String?, verifyHashes: Bool = true) -> StageState {
        let manifestURL = folder.appendingPathComponent(StageManifest.fileName)
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            return FileManager.default.fileExists(atPath: folder.path)
                ? .stale(reason: "no complete manifest (interrupted or never finished)") : .missing
        }
        let manifest: StageManifest
        do {
            manifest = try StageManifest.read(in: folder)
        } catch {
            return .stale(reason: "unreadable manifest: \(error)")
        }
        guard manifest.status == StageManifest.complete else { return .stale(reason: "status \(manifest.status)") }
        if let expectedFingerprint, manifest.fingerprint != expectedFingerprint {
            return .stale(reason: "configuration or an upstream stage changed")
        }
        if verifyHashes {
            for (path, hash) in manifest.outputs.sorted(by: { $0.key < $1.key }) {
                let url = folder.appendingPathComponent(path)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    return .stale(reason: "output \(path) is missing")
                }
                guard let actual = try? StageManifest.hashOutputs([path], in: folder)[path], actual == hash else {
                    return .stale(reason: "output \(path) does not match its recorded hash (corrupted or edited)")
                }
            }
        }
        return .done(manifest)
    }
}
