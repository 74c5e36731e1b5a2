/// Conversion between typed arrays and raw little-endian bytes, the byte order of every
/// binary format in this module. On little-endian hosts this is a plain copy.
enum LittleEndianBytes {
    /// The values as little-endian bytes.
    static func bytes<T: FixedWidthInteger>(of values: [T]) -> [UInt8] {
        #if _endian(little)
            return values.withUnsafeBytes { [UInt8]($0) }
        #else
            return values.map { $0.littleEndian }.withUnsafeBytes { [UInt8]($0) }
        #endif
    }

    /// Values decoded from little-endian bytes; `bytes.count` must be a multiple of the size.
    static func values<T: FixedWidthInteger>(_ type: T.Type, from bytes: [UInt8]) -> [T] {
        let size = MemoryLayout<T>.size
        let count = bytes.count / size
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<count * size]))
            }
        }
        #if !_endian(little)
            for i in out.indices { out[i] = T(littleEndian: out[i]) }
        #endif
        return out
    }

    static func bytes(of floats: [Float]) -> [UInt8] {
        #if _endian(little)
            return floats.withUnsafeBytes { [UInt8]($0) }
        #else
            return bytes(of: floats.map(\.bitPattern))
        #endif
    }

    static func floats(from bytes: [UInt8]) -> [Float] {
        #if _endian(little)
            let count = bytes.count / 4
            var out = [Float](repeating: 0, count: count)
            out.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<count * 4]))
                }
            }
            return out
        #else
            return values(UInt32.self, from: bytes).map(Float.init(bitPattern:))
        #endif
    }
}
