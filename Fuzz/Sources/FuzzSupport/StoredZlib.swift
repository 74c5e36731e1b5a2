import Foundation

/// A zlib stream (RFC 1950) of deflate "stored" blocks: valid compressed data without a
/// compressor, for the hand-made PNG seeds.
public enum StoredZlib {
    public static func wrap(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(0xFFFF, payload.count - offset)
            out.append(offset + length == payload.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += payload[offset..<offset + length]
            offset += length
        } while offset < payload.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in payload {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        let adler = b << 16 | a
        return out + [24, 16, 8, 0].map { UInt8((adler >> $0) & 0xFF) }
    }
}

/// PNG files chunk by chunk, for seeds in the colour types and bit depths the project's own
/// writer does not produce (grey, palette, 16-bit, transparency, interlacing).
public enum HandMadePNG {
    public static func file(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, interlaced: Bool = false,
        extraChunks: [(String, [UInt8])] = [], rawRows: [UInt8]
    ) -> Data {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header =
            bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        out += chunk("IHDR", header)
        for (type, body) in extraChunks { out += chunk(type, body) }
        out += chunk("IDAT", StoredZlib.wrap(rawRows))
        out += chunk("IEND", [])
        return Data(out)
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(CRC32.checksum(typed))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
}
