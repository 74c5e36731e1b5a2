import Foundation

/// A file being written at a temporary path next to its final path, that appears at the final
/// path only when `commit()` renames it there. A writer that fails or is interrupted never leaves
/// a partial file under the final name: readers see the old file or the complete new one.
///
/// The temporary file is created empty (exclusively) when the `PendingFile` is made, so an
/// unwritable or missing folder is reported at once, naming the folder. Any library that writes
/// to a path (libpng, HDF5…) can write to `temporaryURL`.
public final class PendingFile {
    public let finalURL: URL
    public let temporaryURL: URL
    public private(set) var isFinished = false

    public init(finalURL: URL) throws {
        let finalURL = finalURL.standardizedFileURL
        let directory = finalURL.deletingLastPathComponent()
        let name = ".\(finalURL.lastPathComponent).tmp-\(SystemCalls.processID)-\(UInt32.random(in: 0 ... .max))"
        let temporary = directory.appendingPathComponent(name)
        do {
            let fd = try SystemCalls.createExclusive(temporary.path)
            try SystemCalls.close(fd, path: temporary.path)
        } catch let error as FileFormatError {
            throw FileFormatError(
                .writeFailed, path: finalURL.path,
                "cannot create a temporary file in folder \(directory.path): \(error.message)")
        }
        self.finalURL = finalURL
        self.temporaryURL = temporary
    }

    /// Flushes the temporary file to disk and renames it over the final path.
    public func commit() throws {
        guard !isFinished else {
            throw FileFormatError(.writeFailed, path: finalURL.path, "pending file was already committed or discarded")
        }
        isFinished = true
        do {
            try SystemCalls.syncFile(atPath: temporaryURL.path)
            try SystemCalls.rename(temporaryURL.path, finalURL.path)
        } catch {
            SystemCalls.remove(temporaryURL.path)
            throw error
        }
        SystemCalls.syncDirectory(finalURL.deletingLastPathComponent().path)
    }

    /// Deletes the temporary file; the final path is left untouched.
    public func discard() {
        guard !isFinished else { return }
        isFinished = true
        SystemCalls.remove(temporaryURL.path)
    }

    deinit { discard() }
}
