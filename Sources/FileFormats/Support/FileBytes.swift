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

    /// The file's size in bytes.
    static func size(_ url: URL) throws -> Int {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard let size = (attributes[.size] as? NSNumber)?.intValue else {
                throw FileFormatError(.unreadable, path: url.path, "cannot read its size")
            }
            return size
        } catch let error as FileFormatError {
            throw error
        } catch {
            try checkReadable(url)
            throw FileFormatError(.unreadable, path: url.path, "cannot read its size: \(error.localizedDescription)")
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
