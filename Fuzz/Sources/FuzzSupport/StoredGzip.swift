import Foundation

/// Wraps bytes in a gzip file without compressing them (deflate "stored" blocks), so that the
/// tar target's fuzzer mutates tar headers directly while the extractor still reads a real
/// `.tar.gz`. gzip: RFC 1952; stored blocks: RFC 1951 section 3.2.4.
public enum StoredGzip {
    public static func wrap(_ payload: Data) -> Data {
        var out = Data([0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF])
        let bytes = [UInt8](payload)
        var offset = 0
        repeat {
            let length = min(0xFFFF, bytes.count - offset)
            let isLast = offset + length == bytes.count
            out.append(isLast ? 1 : 0)
            appendLittleEndian(&out, UInt16(length))
            appendLittleEndian(&out, ~UInt16(length))
            out.append(contentsOf: bytes[offset..<offset + length])
            offset += length
        } while offset < bytes.count
        appendLittleEndian(&out, CRC32.checksum(bytes))
        appendLittleEndian(&out, UInt32(truncatingIfNeeded: bytes.count))
        return out
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}

/// The CRC-32 of gzip and PNG (reflected polynomial 0xEDB88320).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
