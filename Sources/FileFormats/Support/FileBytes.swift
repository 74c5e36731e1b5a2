import Foundation

/// Reading whole files with errors that say whether the file is missing or unreadable.
enum FileBytes {
    static func read(_ url: URL) throws -> Data {
        do {
            // Read, not memory-mapped: a mapped file truncated by another process would crash
            // the reader with SIGBUS instead of producing an error.
            return try Data(contentsOf: url)
        } catch {
            try checkReadable(url)
            throw FileFormatError(.unreadable, path: url.path, "cannot read: \(error.localizedDescription)")
        }
    }

    /// Throws `.notFound` for a missing path and `.unreadable` for a folder; returns otherwise.
    static func checkReadable(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            throw FileFormatError(.notFound, path: url.path, "no such file")
        }
        if isDirectory.boolValue {
            throw FileFormatError(.unreadable, path: url.path, "is a folder, not a file")
        }
    }
}
