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

    /// One operation: a = b + ((a + f + m + t) <<< s).
    @inline(__always) private static func step(_ a: inout UInt32, _ b: UInt32, _ f: UInt32, _ m: UInt32,
                                               _ t: UInt32, _ s: UInt32) {
        let x = a &+ f &+ m &+ t
        a = b &+ ((x << s) | (x >> (32 &- s)))
    }

    private mutating func process(block: UnsafeRawPointer) {
        var a = a0, b = b0, c = c0, d = d0
        // Registers rotate roles every operation, so each round is written four operations at a time.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<16 { m[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
            MD5.sines.withUnsafeBufferPointer { t in
                for i in stride(from: 0, to: 16, by: 4) {
                    MD5.step(&a, b, (b & c) | (~b & d), m[i], t[i], 7)
                    MD5.step(&d, a, (a & b) | (~a & c), m[i + 1], t[i + 1], 12)
                    MD5.step(&c, d, (d & a) | (~d & b), m[i + 2], t[i + 2], 17)
                    MD5.step(&b, c, (c & d) | (~c & a), m[i + 3], t[i + 3], 22)
                }
                for i in stride(from: 16, to: 32, by: 4) {
                    MD5.step(&a, b, (b & d) | (c & ~d), m[(5 * i + 1) & 15], t[i], 5)
                    MD5.step(&d, a, (a & c) | (b & ~c), m[(5 * i + 6) & 15], t[i + 1], 9)
                    MD5.step(&c, d, (d & b) | (a & ~b), m[(5 * i + 11) & 15], t[i + 2], 14)
                    MD5.step(&b, c, (c & a) | (d & ~a), m[(5 * i + 16) & 15], t[i + 3], 20)
                }
                for i in stride(from: 32, to: 48, by: 4) {
                    MD5.step(&a, b, b ^ c ^ d, m[(3 * i + 5) & 15], t[i], 4)
                    MD5.step(&d, a, a ^ b ^ c, m[(3 * i + 8) & 15], t[i + 1], 11)
                    MD5.step(&c, d, d ^ a ^ b, m[(3 * i + 11) & 15], t[i + 2], 16)
                    MD5.step(&b, c, c ^ d ^ a, m[(3 * i + 14) & 15], t[i + 3], 23)
                }
                for i in stride(from: 48, to: 64, by: 4) {
                    MD5.step(&a, b, c ^ (b | ~d), m[(7 * i) & 15], t[i], 6)
                    MD5.step(&d, a, b ^ (a | ~c), m[(7 * i + 7) & 15], t[i + 1], 10)
                    MD5.step(&c, d, a ^ (d | ~b), m[(7 * i + 14) & 15], t[i + 2], 15)
                    MD5.step(&b, c, d ^ (c | ~a), m[(7 * i + 21) & 15], t[i + 3], 21)
                }
            }
        }
        a0 = a0 &+ a
        b0 = b0 &+ b
        c0 = c0 &+ c
        d0 = d0 &+ d
    }
}
