import FileFormats
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SHA-256 digests of a run folder's artifacts, remembered with the file's identity (device,
/// inode, size, modification and status-change times) so that `status` and `run` re-hash only
/// files that changed: an Oxford run holds hundreds of megabytes of caches.
///
/// The status-change time cannot be set by a user and changes with every write, rename into
/// place or `touch`, so a file whose identity is unchanged has unchanged contents (as DVC and
/// Git's index assume). Kept in `<run>/.digests.json`, a hidden file no stage digest includes;
/// it is only a cache: unreadable or stale, it is rebuilt, never trusted over the files.
public final class DigestCache {
    public static let fileName = ".digests.json"

    struct Entry: Codable, Equatable {
        var identity: FileIdentity
        var sha256: String
    }

    /// The identity of a file as `stat` reports it.
    struct FileIdentity: Codable, Equatable {
        var device: UInt64
        var inode: UInt64
        var bytes: Int64
        var modified: Int64
        var changed: Int64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            bytes = Int64(info.st_size)
            #if canImport(Darwin)
                modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
                changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
            #else
                modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
                changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
            #endif
        }
    }

    private let url: URL?
    private let root: String
    private var entries: [String: Entry]
    private var dirty = false
    /// Files hashed (not found in the cache) since this cache was opened.
    public private(set) var filesHashed = 0

    /// The cache of `runFolder` (empty when it has none or it cannot be read).
    public init(runFolder: URL) {
        url = runFolder.appendingPathComponent(Self.fileName)
        root = runFolder.standardizedFileURL.path
        entries =
            (try? JSONFile.read([String: Entry].self, from: runFolder.appendingPathComponent(Self.fileName))) ?? [:]
    }

    /// A cache that remembers nothing between calls (every file is hashed).
    public init() {
        url = nil
        root = ""
        entries = [:]
    }

    /// The SHA-256 of the file at `url` (hex), from the cache when its identity is unchanged.
    public func sha256(of file: URL) throws -> String {
        let path = file.standardizedFileURL.path
        let key = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        let before = FileIdentity(path: path)
        if let before, let entry = entries[key], entry.identity == before { return entry.sha256 }
        let digest = try SHA256.hashFile(at: file).hex
        filesHashed += 1
        // Only a file that did not change while it was read is remembered.
        if let before, FileIdentity(path: path) == before, url != nil {
            entries[key] = Entry(identity: before, sha256: digest)
            dirty = true
        }
        return digest
    }

    /// Writes the cache if it learnt anything; a failure to write only costs time later.
    public func save() {
        guard dirty, let url else { return }
        if (try? JSONFile.write(entries, to: url)) != nil { dirty = false }
    }
}
