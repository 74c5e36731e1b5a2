import Foundation

/// A deliberately simple PNG writer for tests, independent of libpng: it can produce every colour
/// type and bit depth, palettes with tRNS, and Adam7 interlacing, so the reader is tested on files
/// libpng's simplified writer cannot make. Deflate uses stored (uncompressed) blocks.
struct HandMadePNG {
    enum ColorType: UInt8 {
        case gray = 0
        case rgb = 2
        case palette = 3
        case grayAlpha = 4
        case rgba = 6
    }

    var width: Int
    var height: Int
    var colorType: ColorType
    var bitDepth: Int
    /// Samples row-major, `channels` per pixel, each in 0 ..< 2^bitDepth (palette: indices).
    var samples: [Int]
    var palette: [(UInt8, UInt8, UInt8)] = []
    var transparency: [UInt8] = []
    var interlaced = false

    var channels: Int {
        switch colorType {
        case .gray, .palette: 1
        case .grayAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }

    func encoded() -> Data {
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var ihdr = Data()
        ihdr.appendBE32(UInt32(width))
        ihdr.appendBE32(UInt32(height))
        ihdr.append(contentsOf: [UInt8(bitDepth), colorType.rawValue, 0, 0, interlaced ? 1 : 0])
        Self.appendChunk("IHDR", ihdr, to: &out)
        if !palette.isEmpty { Self.appendChunk("PLTE", Data(palette.flatMap { [$0.0, $0.1, $0.2] }), to: &out) }
        if !transparency.isEmpty { Self.appendChunk("tRNS", Data(transparency), to: &out) }
        Self.appendChunk("IDAT", Self.zlibStored(scanlines()), to: &out)
        Self.appendChunk("IEND", Data(), to: &out)
        return out
    }

    /// Filtered (filter type 0) scanlines, pass by pass when interlaced.
    private func scanlines() -> [UInt8] {
        let passes: [(Int, Int, Int, Int)] =
            interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        var out: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            if xs.isEmpty || ys.isEmpty { continue }  // empty passes carry no data at all
            for y in ys {
                out.append(0)
                var bits = BitPacker()
                for x in xs {
                    for c in 0..<channels { bits.put(samples[(y * width + x) * channels + c], depth: bitDepth) }
                }
                out += bits.finish()
            }
        }
        return out
    }

    private struct BitPacker {
        var bytes: [UInt8] = []
        var current = 0, used = 0
        mutating func put(_ value: Int, depth: Int) {
            if depth == 16 {
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                return
            }
            if depth == 8 {
                bytes.append(UInt8(value))
                return
            }
            current = current << depth | value
            used += depth
            if used == 8 {
                bytes.append(UInt8(current))
                current = 0
                used = 0
            }
        }
        mutating func finish() -> [UInt8] {
            if used > 0 {
                bytes.append(UInt8(current << (8 - used)))
                current = 0
                used = 0
            }
            return bytes
        }
    }

    static func appendChunk(_ type: String, _ data: Data, to out: inout Data) {
        out.appendBE32(UInt32(data.count))
        let typed = Data(type.utf8) + data
        out.append(typed)
        out.appendBE32(crc32(typed))
    }

    static func zlibStored(_ bytes: [UInt8]) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let n = min(65_535, bytes.count - offset)
            let final: UInt8 = offset + n == bytes.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)])
            out.append(contentsOf: bytes[offset..<offset + n])
            offset += n
        } while offset < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        out.appendBE32(b << 16 | a)
        return out
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension Data {
    mutating func appendBE32(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
    }
}
