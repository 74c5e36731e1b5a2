import Crypto
import Foundation

/// SHA-256 (FIPS 180-4), incremental: `update` with the bytes in order, then `finalize`.
///
/// A thin wrapper over swift-crypto's implementation (BoringSSL underneath, with the CPU's
/// SHA extensions where it has them), so the project keeps one small hashing API of its own
/// while the hashing itself is the well-tested, fast one. Artifact digests in manifests and
/// the run ledger are SHA-256 hex strings, unchanged by the move from the earlier hand-written
/// implementation.
// swift-crypto's hasher is a copy-on-write value without a Sendable conformance on Linux.
public struct SHA256: @unchecked Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    public mutating func update(_ buffer: UnsafeRawBufferPointer) { hasher.update(bufferPointer: buffer) }
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The digest of everything given so far; the hasher itself is left as it was.
    public func finalize() -> SHA256Digest {
        SHA256Digest(bytes: Array(hasher.finalize()))
    }

    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    public static func hash(_ data: Data) -> SHA256Digest {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    public static func hash(_ string: String) -> SHA256Digest { hash(Array(string.utf8)) }
}
