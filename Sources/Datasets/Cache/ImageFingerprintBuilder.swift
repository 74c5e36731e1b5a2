import FileFormats
import Foundation

/// Accumulates the two image fingerprints of the manifest (see `DatasetManifest.ImageFingerprint`).
struct ImageFingerprintBuilder {
    private var content = SHA256()
    private(set) var files = 0
    private(set) var bytes = 0
    private(set) var hashSeconds = 0.0

    /// Adds a stored image, in row order.
    mutating func add(name: String, byteCount: Int, digest: SHA256Digest) {
        content.update(Array("\(name)\t\(byteCount)\t\(digest.hex)\n".utf8))
        files += 1
        bytes += byteCount
    }

    /// Adds the time spent hashing file bytes (measured by the workers).
    mutating func addHashTime(_ seconds: Double) { hashSeconds += seconds }

    /// "name, size" of every file item of the catalog, from `stat` (missing files count as -1).
    static func listingHash(_ files: [(name: String, url: URL)]) -> SHA256Digest {
        var hasher = SHA256()
        for (name, url) in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? -1
            hasher.update(Array("\(name)\t\(size)\n".utf8))
        }
        return hasher.finalize()
    }

    func fingerprint(listing: SHA256Digest) -> DatasetManifest.ImageFingerprint {
        DatasetManifest.ImageFingerprint(
            method:
                "contentSHA256: SHA-256 over 'name<TAB>size<TAB>sha256(file)' lines of the stored images in row order; listingSHA256: SHA-256 over 'name<TAB>size' lines of all listed images",
            files: files, bytes: bytes, contentSHA256: content.finalize().hex, listingSHA256: listing.hex,
            hashSeconds: hashSeconds)
    }
}
