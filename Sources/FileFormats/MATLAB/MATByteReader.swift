/// Sequential reading of MAT-file bytes in the file's byte order, with every read bounds-checked.
struct MATByteReader {
    let bytes: UnsafeRawBufferPointer
    let bigEndian: Bool
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool, offset: Int = 0) {
        self.bytes = bytes
        self.bigEndian = bigEndian
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// An integer of `T`'s width at `position`, in the file's byte order (no bounds check: callers check).
    func integer<T: FixedWidthInteger>(_ type: T.Type, at position: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + MemoryLayout<T>.size]))
        }
        return bigEndian ? T(bigEndian: value) : T(littleEndian: value)
    }

    mutating func uint32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return integer(UInt32.self, at: offset)
    }
}
