/// A 32-byte SHA-256 digest; `hex` (and `description`) give the usual lowercase hex form.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "SHA-256 digests are 32 bytes")
        self.bytes = bytes
    }

    /// Lowercase hexadecimal, 64 characters.
    public var hex: String { Self.hexadecimal(bytes) }

    /// Lowercase hexadecimal of any bytes (two digits each).
    public static func hexadecimal(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(2 * bytes.count)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
