import Foundation

extension SHA256 {
    /// The SHA-256 of a file's contents, read in chunks so that large caches need little memory.
    public static func hashFile(at url: URL, chunkSize: Int = 1 << 20) throws -> SHA256Digest {
        var hasher = SHA256()
        try FileChunks.read(url, chunkSize: chunkSize, purpose: "to hash it") { hasher.update($0) }
        return hasher.finalize()
    }
}

/// Reading a whole file in chunks, with errors that name it.
enum FileChunks {
    static func read(_ url: URL, chunkSize: Int = 1 << 20, purpose: String, _ body: (Data) -> Void) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            try FileBytes.checkReadable(url)
            throw FileFormatError(.unreadable, path: url.path, "cannot open \(purpose): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: max(64, chunkSize))
            } catch {
                throw FileFormatError(.unreadable, path: url.path, "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { return }
            body(chunk)
        }
    }
}
