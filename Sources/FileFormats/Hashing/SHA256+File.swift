import Foundation

extension SHA256 {
    /// The digest of a file's contents, read in fixed-size chunks so memory use does not grow
    /// with the file (dataset archives, checkpoints).
    public static func hashFile(at url: URL, chunkSize: Int = 1 << 20) throws -> SHA256Digest {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            try FileBytes.checkReadable(url)
            throw FileFormatError(.unreadable, path: url.path, "cannot open: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: max(64, chunkSize))
            } catch {
                throw FileFormatError(.unreadable, path: url.path, "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(chunk)
        }
        return hasher.finalize()
    }
}
