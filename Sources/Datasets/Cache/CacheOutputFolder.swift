import FileFormats
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folder a cache is written to, made to appear complete or not at all.
///
/// Everything is written into a hidden staging folder beside the output
/// (`.<name>.staging-<pid>-<uuid>`), which is renamed into place at the end. An existing cache
/// at the output is first renamed aside and deleted after the new one is in place, so at every
/// moment the output path holds a complete cache or nothing. Staging folders of processes that
/// no longer run (killed mid-way) are removed on the next run.
struct CacheOutputFolder {
    let output: URL
    let staging: URL

    /// Checks that `output` may be written (not inside `source`, not containing it, and not an
    /// unrelated folder that would be replaced), then creates the staging folder.
    static func begin(_ output: URL, source: URL?) throws -> CacheOutputFolder {
        let output = output.standardizedFileURL
        try checkSafe(output: output, source: source)
        let parent = output.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw FileFormatError(
                .writeFailed, path: parent.path, "cannot create folder: \(error.localizedDescription)")
        }
        removeAbandonedStaging(beside: output)
        let staging = parent.appendingPathComponent(
            ".\(output.lastPathComponent).staging-\(getpid())-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw FileFormatError(
                .writeFailed, path: staging.path, "cannot create the staging folder: \(error.localizedDescription)")
        }
        return CacheOutputFolder(output: output, staging: staging)
    }

    /// Moves the finished staging folder to the output, replacing an older cache there.
    func install() throws {
        let fm = FileManager.default
        var old: URL?
        if fm.fileExists(atPath: output.path) {
            let aside = output.deletingLastPathComponent()
                .appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())-\(UUID().uuidString)")
            guard rename(output.path, aside.path) == 0 else {
                throw FileFormatError(
                    .writeFailed, path: output.path,
                    "cannot move the previous cache aside: \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        guard rename(staging.path, output.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old.path, output.path) }
            throw FileFormatError(.writeFailed, path: output.path, "cannot move the new cache into place: \(reason)")
        }
        if let old { try? fm.removeItem(at: old) }
    }

    /// Deletes the staging folder (after a failure, or when `install` did not happen).
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }

    // MARK: - Safety

    /// A real path, following symbolic links, for a path that may not exist yet.
    static func resolved(_ url: URL) -> String {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var path = existing.resolvingSymlinksInPath().path
        for component in rest { path = (path as NSString).appendingPathComponent(component) }
        return path
    }

    static func isSameOrInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }

    static func checkSafe(output: URL, source: URL?) throws {
        let out = resolved(output)
        if let source {
            let src = resolved(source)
            if isSameOrInside(out, src) {
                throw DatasetError(
                    .invalidArgument,
                    "the output \(output.path) is inside the source folder \(source.path), which is never written to; choose another --output"
                )
            }
            if isSameOrInside(src, out) {
                throw DatasetError(
                    .refusedOverwrite,
                    "the output \(output.path) contains the source folder \(source.path); choose another --output")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw DatasetError(
                .refusedOverwrite, "\(output.path) is a file, not a dataset cache folder; choose another --output")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        let known: Set<String> = [
            DatasetCacheLayout.imagesFile, DatasetCacheLayout.manifestFile, DatasetCacheLayout.sourceListingFile,
        ]
        let foreign = entries.filter { !$0.hasPrefix(".") && !known.contains($0) }
        if !foreign.isEmpty {
            throw DatasetError(
                .refusedOverwrite,
                "\(output.path) holds other files (\(foreign.sorted().prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")), so it is not a dataset cache to replace; choose another --output"
            )
        }
    }

    /// Removes `.<name>.staging-<pid>-…` and `.<name>.old-<pid>-…` folders whose process has ended.
    static func removeAbandonedStaging(beside output: URL) {
        let parent = output.deletingLastPathComponent()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for name in names {
            for marker in [".\(output.lastPathComponent).staging-", ".\(output.lastPathComponent).old-"]
            where name.hasPrefix(marker) {
                let pidText = name.dropFirst(marker.count).prefix { $0 != "-" }
                guard let pid = Int32(pidText) else { continue }
                // kill(pid, 0) fails with ESRCH when no such process exists.
                if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                    try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
                }
            }
        }
    }
}
