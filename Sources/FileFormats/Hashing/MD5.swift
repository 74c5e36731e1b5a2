import Crypto
import Foundation

/// MD5 (RFC 1321). Used only to check downloads against published checksums, which for Oxford
/// Flowers 102 are MD5s; it is not a security measure. swift-crypto's implementation underneath.
// swift-crypto's hasher is a copy-on-write value without a Sendable conformance on Linux.
public struct MD5: @unchecked Sendable {
    private var hasher = Insecure.MD5()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The 16-byte digest of everything given so far.
    public func finalize() -> [UInt8] { Array(hasher.finalize()) }

    /// The digest as 32 lowercase hexadecimal digits.
    public func finalizeHex() -> String { SHA256Digest.hexadecimal(finalize()) }

    public static func hex(_ bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalizeHex()
    }

    /// The MD5 of a file, read in chunks (archives can be hundreds of megabytes).
    public static func hex(ofFile url: URL) throws -> String {
        var md5 = MD5()
        try FileChunks.read(url, purpose: "to compute its MD5") { md5.update($0) }
        return md5.finalizeHex()
    }
}
