import Foundation

/// Atomic, durable file writes: data goes to a temporary file in the destination folder,
/// is flushed with fsync and then renamed over the destination, so the destination is
/// always either the previous complete file or the new complete file.
public enum AtomicFile {
    /// Writes `data` to `url` atomically. Errors name the path and the cause
    /// (missing or unwritable folder, disk full…).
    public static func write(_ data: Data, to url: URL) throws {
        let pending = try PendingFile(finalURL: url)
        let path = pending.temporaryURL.path
        do {
            // The temporary file exists (empty) and is ours; reopen it for writing.
            let fd = try SystemCalls.openForWriting(path)
            do {
                // No fsync here: commit() flushes the file before renaming it.
                try data.withUnsafeBytes { try SystemCalls.writeAll(fd, $0, path: path) }
            } catch {
                _ = try? SystemCalls.close(fd, path: path)
                throw error
            }
            try SystemCalls.close(fd, path: path)
        } catch let error as FileFormatError {
            pending.discard()
            throw FileFormatError(.writeFailed, path: pending.finalURL.path, error.message)
        }
        try pending.commit()
    }

    /// Lets `body` write a file at a temporary path (passed to it) and, if `body` returns
    /// normally, commits that file to `url` by rename; if `body` throws, the temporary file
    /// is deleted and `url` is untouched.
    @discardableResult
    public static func write<T>(to url: URL, using body: (URL) throws -> T) throws -> T {
        let pending = try PendingFile(finalURL: url)
        let result: T
        do {
            result = try body(pending.temporaryURL)
        } catch {
            pending.discard()
            throw error
        }
        try pending.commit()
        return result
    }
}
