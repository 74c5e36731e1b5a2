import FileFormats
import Foundation

/// What unpacking an archive did.
public struct ExtractionReport: Equatable, Sendable {
    /// Relative paths of the files the archive holds.
    public var files: [String]
    /// Those that were already at the destination with identical contents, and left alone.
    public var alreadyPresent: [String]
}

/// Unpacks `.tar.gz` / `.tgz` archives safely: into a hidden staging folder inside the
/// destination first, then moved into place only if every file is new or identical to what is
/// already there. A truncated or corrupt archive, an unsafe entry or a conflicting existing
/// file leaves the destination as it was.
public enum TarGzExtractor {
    public static func extract(_ archive: URL, into destination: URL) throws -> ExtractionReport {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: destination.path, "cannot create folder: \(error.localizedDescription)")
        }
        // Staging inside the destination keeps the final moves on one file system (plain renames).
        // Staging folders left by an unpacking that was killed are ours (by name) and are removed.
        let stagingPrefix = ".unpacking-\(archive.lastPathComponent)-"
        for name in (try? fm.contentsOfDirectory(atPath: destination.path)) ?? [] where name.hasPrefix(stagingPrefix) {
            try? fm.removeItem(at: destination.appendingPathComponent(name))
        }
        let staging = destination.appendingPathComponent(stagingPrefix + UUID().uuidString)
        defer { try? fm.removeItem(at: staging) }
        let sink = try StagingSink(root: staging)
        try stream(archive, into: sink)
        let files = sink.files

        var conflicts: [String] = []
        var present: [String] = []
        for relative in files {
            let target = destination.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: target.path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue
                && fm.contentsEqual(atPath: target.path, andPath: staging.appendingPathComponent(relative).path)
            {
                present.append(relative)
            } else {
                conflicts.append(relative)
            }
        }
        for folder in sink.folders {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: destination.appendingPathComponent(folder).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                conflicts.append(folder)
            }
        }
        guard conflicts.isEmpty else {
            let shown = conflicts.prefix(3).joined(separator: ", ") + (conflicts.count > 3 ? ", …" : "")
            throw DatasetError(
                .refusedOverwrite,
                "\(destination.path) already holds \(conflicts.count) different file(s) that \(archive.lastPathComponent) would replace (\(shown)); move them away or choose another destination"
            )
        }
        let presentSet = Set(present)
        for folder in sink.folders {
            try createFolder(destination.appendingPathComponent(folder))
        }
        for relative in files where !presentSet.contains(relative) {
            let target = destination.appendingPathComponent(relative)
            try createFolder(target.deletingLastPathComponent())
            do {
                try fm.moveItem(at: staging.appendingPathComponent(relative), to: target)
            } catch {
                throw FileFormatError(
                    .writeFailed, path: target.path,
                    "cannot move unpacked file into place: \(error.localizedDescription)")
            }
        }
        return ExtractionReport(files: files, alreadyPresent: present)
    }

    /// Reads the archive in chunks through gzip and tar into `sink`.
    private static func stream(_ archive: URL, into sink: StagingSink) throws {
        guard let handle = FileHandle(forReadingAtPath: archive.path) else {
            throw FileFormatError(.notFound, path: archive.path, "cannot open archive")
        }
        defer { try? handle.close() }
        let inflater = try GzipInflater(path: archive.path)
        let tar = TarReader(path: archive.path, sink: sink)
        while !tar.isFinished {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw FileFormatError(.unreadable, path: archive.path, "read failed: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { bytes in
                try inflater.inflate(bytes) { try tar.consume($0) }
            }
        }
        if !tar.isFinished { try inflater.finish() }
        try tar.finish()
    }

    private static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(.writeFailed, path: url.path, "cannot create folder: \(error.localizedDescription)")
        }
    }
}

/// Writes tar entries below a staging folder and remembers what it wrote.
private final class StagingSink: TarEntrySink {
    let root: URL
    private(set) var files: [String] = []
    private(set) var folders: [String] = []
    private var seen: Set<String> = []
    private var handle: FileHandle?
    private var current: URL?

    init(root: URL) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: root.path, "cannot create staging folder: \(error.localizedDescription)")
        }
    }

    func begin(_ entry: TarEntry) throws {
        let url = root.appendingPathComponent(entry.path)
        let fm = FileManager.default
        do {
            if entry.kind == .directory {
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
                if seen.insert("d:" + entry.path).inserted { folders.append(entry.path) }
                return
            }
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(.writeFailed, path: url.path, "cannot create folder: \(error.localizedDescription)")
        }
        guard fm.createFile(atPath: url.path, contents: nil), let h = FileHandle(forWritingAtPath: url.path) else {
            throw FileFormatError(.writeFailed, path: url.path, "cannot create unpacked file")
        }
        handle = h
        current = url
        if seen.insert("f:" + entry.path).inserted { files.append(entry.path) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let handle else { return }
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw FileFormatError(
                .writeFailed, path: current?.path ?? root.path, "write failed: \(error.localizedDescription)")
        }
    }

    func end() throws {
        if let handle {
            do { try handle.close() } catch {
                throw FileFormatError(
                    .writeFailed, path: current?.path ?? root.path, "close failed: \(error.localizedDescription)")
            }
        }
        handle = nil
        current = nil
    }
}
