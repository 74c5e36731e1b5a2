import FileFormats
import Foundation

/// MD5 message digest (RFC 1321). Used only to check downloads against published checksums,
/// which for Oxford Flowers 102 are MD5s; it is not a security measure.
public struct MD5: Sendable {
    private var a0: UInt32 = 0x6745_2301
    private var b0: UInt32 = 0xEFCD_AB89
    private var c0: UInt32 = 0x98BA_DCFE
    private var d0: UInt32 = 0x1032_5476
    /// Bytes of an incomplete 64-byte block, waiting for more input.
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    /// T[i] = floor(2³² · |sin(i + 1)|), as the RFC defines it (exact in double precision).
    private static let sines: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4_294_967_296)) }
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            if pending.count == 64 {
                pending.withUnsafeBytes { process(block: $0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - offset >= 64 {
            process(block: bytes.baseAddress! + offset)
            offset += 64
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The 16-byte digest (the hasher should not be updated afterwards).
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (55 - Int(length % 64) + 64) % 64
        tail += [UInt8](repeating: 0, count: padding)
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        tail.withUnsafeBytes { update($0) }
        var digest: [UInt8] = []
        for word in [a0, b0, c0, d0] {
            for i in 0..<4 { digest.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
        }
        return digest
    }

    /// The digest as 32 lowercase hexadecimal digits.
    public mutating func finalizeHex() -> String { finalize().map { String(format: "%02x", $0) }.joined() }

    public static func hex(_ bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalizeHex()
    }

    /// The MD5 of a file, read in chunks (archives can be hundreds of megabytes).
    public static func hex(ofFile url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileFormatError(.unreadable, path: url.path, "cannot open file to compute its MD5")
        }
        defer { try? handle.close() }
        var md5 = MD5()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw FileFormatError(.unreadable, path: url.path, "read failed: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            md5.update(chunk)
        }
        return md5.finalizeHex()
    }

    private mutating func process(block: UnsafeRawPointer) {
        var a = a0, b = b0, c = c0, d = d0
        // The block's sixteen little-endian words live on the stack: this runs millions of times.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<16 { m[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
            MD5.sines.withUnsafeBufferPointer { t in
                MD5.shifts.withUnsafeBufferPointer { s in
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i >> 4 {
                        case 0: f = (b & c) | (~b & d); g = i
                        case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                        case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
                        default: f = c ^ (b | ~d); g = (7 * i) & 15
                        }
                        f = f &+ a &+ t[i] &+ m[g]
                        let shift = s[(i >> 4) * 4 + (i & 3)]
                        a = d
                        d = c
                        c = b
                        b = b &+ ((f << shift) | (f >> (32 - shift)))
                    }
                }
            }
        }
        a0 = a0 &+ a
        b0 = b0 &+ b
        c0 = c0 &+ c
        d0 = d0 &+ d
    }
}
