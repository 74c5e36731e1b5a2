import FileFormats
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files a cache was made from as the directory listing shows them: every image of the
/// catalog and every label file, each with its size and modification time, no byte read.
///
/// `DatasetPreparer` saves it beside the cache (`source-listing.json`), so that a later check
/// (`CacheSourceCheck`) can list the source again in a moment and say what changed: files
/// added, removed, or rewritten (another size or modification time). A copy of the source that
/// kept the names but not the times (`cp` without `-p`) reads as changed: a false alarm that
/// costs a `prepare` (minutes), whose cache has the same bytes, so nothing read from it is
/// redone; reading every image on every `status` to avoid it would cost more.
public struct SourceListing: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        /// Relative to the source folder, as the cache's `files` names it ("jpg/image_00001.jpg").
        public var name: String
        /// -1: the file could not be examined.
        public var bytes: Int64
        /// Nanoseconds since 1970.
        public var modified: Int64
    }

    public static let fileName = DatasetCacheLayout.sourceListingFile

    /// Sorted by name.
    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries.sorted { $0.name < $1.name }
    }

    /// The listing of `catalog`'s image files and label files now.
    public static func of(_ catalog: DatasetCatalog) -> SourceListing {
        of(images: catalog.fileItems, labelFiles: catalog.labelFiles)
    }

    /// The listing of `images` (name, file) and `labelFiles` (named by their last component) now.
    static func of(images: [(name: String, url: URL)], labelFiles: [URL]) -> SourceListing {
        SourceListing(
            entries: images.map { entry($0.name, $0.url) } + labelFiles.map { entry($0.lastPathComponent, $0) })
    }

    private static func entry(_ name: String, _ url: URL) -> Entry {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return Entry(name: name, bytes: -1, modified: 0) }
        #if canImport(Darwin)
            let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #else
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #endif
        return Entry(name: name, bytes: Int64(info.st_size), modified: modified)
    }

    /// Reads `folder`'s listing; nil when it has none (a cache made before listings were saved).
    public static func read(from folder: URL) throws -> SourceListing? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONFile.read(SourceListing.self, from: url)
    }

    /// Writes the listing into `folder`, atomically and compactly (one line: Oxford's is 8,000
    /// entries).
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: folder.appendingPathComponent(Self.fileName))
    }

    /// What changed from `earlier` to this listing; nil when nothing did.
    public func change(since earlier: SourceListing) -> SourceListingChange? {
        let before = Dictionary(earlier.entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var change = SourceListingChange()
        for entry in entries {
            guard let old = before[entry.name] else {
                change.added.append(entry.name)
                continue
            }
            if old != entry { change.changed.append(entry.name) }
        }
        change.removed = earlier.entries.map(\.name).filter { now[$0] == nil }
        return change.isEmpty ? nil : change
    }
}

/// Files added to, removed from or rewritten in a cache's source since the cache was made.
public struct SourceListingChange: Equatable, Sendable {
    public var added: [String] = []
    public var removed: [String] = []
    public var changed: [String] = []

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// "DIR changed since the cache was made: 3 files added (…)", with every kind of change
    /// that happened and the names of a small one.
    public func summary(source: String) -> String {
        func count(_ names: [String], _ what: String) -> String? {
            guard !names.isEmpty else { return nil }
            let shown = names.count <= 3 ? " (" + names.joined(separator: ", ") + ")" : ""
            return "\(names.count) file\(names.count == 1 ? "" : "s") \(what)\(shown)"
        }
        let parts = [count(added, "added"), count(removed, "removed"), count(changed, "changed")].compactMap { $0 }
        return "\(source) changed since the cache was made: " + parts.joined(separator: ", ")
    }
}
