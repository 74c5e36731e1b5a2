import FileFormats
import Foundation

/// The artifact files of a completed stage (what later stages and users rely on), with sizes and
/// SHA-256. `pipeline run` records it in the run ledger when a stage completes; `run` and `status`
/// measure again and treat any difference (a file truncated, edited or deleted) as a damaged
/// artifact that must be rebuilt rather than trusted. One mechanism for every stage, whatever its
/// own manifest looks like. The manifest itself is checked for being readable, not hashed: a
/// stage may rewrite it (re-evaluation) without its artifacts changing.
public struct StageFolderDigest: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        public var bytes: Int
        public var sha256: String

        public init(bytes: Int, sha256: String) {
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// Path relative to the stage folder → its digest.
    public var files: [String: File]

    public init(files: [String: File]) {
        self.files = files
    }

    /// Hashes `only` (paths relative to `folder`; a missing one is left out, so the comparison
    /// reports it), or when nil every regular file under `folder` but its manifest. Hidden files
    /// are never included: they are the lock file and the temporaries of atomic writes.
    /// `cache` remembers digests of unchanged files between calls (see `DigestCache`).
    public static func measure(_ folder: URL, only: [String]? = nil, cache: DigestCache = DigestCache()) throws
        -> StageFolderDigest
    {
        var files: [String: File] = [:]
        let names =
            try only?.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
            ?? regularFiles(under: folder).filter { $0 != "manifest.json" }
        for relative in names {
            let url = folder.appendingPathComponent(relative)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            files[relative] = File(bytes: bytes, sha256: try cache.sha256(of: url))
        }
        return StageFolderDigest(files: files)
    }

    /// One SHA-256 over every file's name, size and digest: what a stage that reads these
    /// outputs records as consumed, so that it goes stale when any of them changes.
    public var combined: String {
        SHA256.hash(
            files.keys.sorted().map { "\($0) \(files[$0]!.bytes) \(files[$0]!.sha256)" }.joined(separator: "\n")
        ).hex
    }

    /// Why the manifest of `folder` cannot be trusted (unreadable, not a JSON object, or a status
    /// other than "complete"); nil when it is fine.
    public static func manifestProblem(in folder: URL) -> String? {
        let url = folder.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            return "manifest.json is not a readable JSON manifest"
        }
        if let status = object["status"] as? String, status != "complete" { return "manifest.json says \(status)" }
        return nil
    }

    /// This digest limited to `names` (all of it when nil): a ledger written when more files were
    /// recorded is still judged only on the artifacts that matter now.
    public func restricted(to names: [String]?) -> StageFolderDigest {
        guard let names else { return self }
        return StageFolderDigest(files: files.filter { names.contains($0.key) })
    }

    /// What differs in `current` from this recorded digest, in words naming the first few files;
    /// nil when they agree.
    public func differences(to current: StageFolderDigest) -> String? {
        var problems: [String] = []
        for name in files.keys.sorted() {
            guard let now = current.files[name] else {
                problems.append("\(name) is missing")
                continue
            }
            let then = files[name]!
            if now.bytes != then.bytes {
                problems.append("\(name) has \(now.bytes) bytes, \(then.bytes) when it was made")
            } else if now.sha256 != then.sha256 {
                problems.append("\(name) changed since it was made (SHA-256 differs)")
            }
        }
        guard !problems.isEmpty else { return nil }
        let shown = problems.prefix(3).joined(separator: "; ")
        return problems.count > 3 ? "\(shown); and \(problems.count - 3) more" : shown
    }

    static func regularFiles(under folder: URL) throws -> [String] {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else { return [] }
        guard let enumerator = manager.enumerator(atPath: folder.path) else {
            throw FileFormatError(.unreadable, path: folder.path, "cannot list the folder")
        }
        var names: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let leaf = (relative as NSString).lastPathComponent
            if leaf.hasPrefix(".") {
                if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory {
                    enumerator.skipDescendants()
                }
                continue
            }
            if (enumerator.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { names.append(relative) }
        }
        return names.sorted()
    }
}
