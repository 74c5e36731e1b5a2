import Foundation

/// Reading whole files with errors that say whether the file is missing or unreadable.
enum FileBytes {
    static func read(_ url: URL) throws -> Data {
        do {
            // Mapping avoids a copy for large files; Foundation falls back to reading when unsafe.
            return try Data(contentsOf: url, options: .mappedIfSafe)
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
