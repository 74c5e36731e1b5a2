/// CRC-32C (Castagnoli), the checksum of TensorBoard's record files, and the "masked" form those
/// files store.
///
/// The mask exists because a CRC computed over data that itself holds CRCs is weak; TensorFlow's
/// record format therefore rotates the CRC right by 15 bits and adds a constant (its documented
/// `kMaskDelta`) before storing it.
public enum CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78
    static let maskDelta: UInt32 = 0xA282_EAD8

    /// The byte-at-a-time table: the event files are small, so no slicing tables are needed.
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The checksum as record files store it.
    public static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ maskDelta
    }
}
