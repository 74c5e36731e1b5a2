import FileFormats
import Foundation

/// TensorFlow's record framing, the container of event files. Each record is
///
///     uint64 length (little-endian) · uint32 masked CRC-32C of those 8 bytes ·
///     `length` bytes of data · uint32 masked CRC-32C of the data
///
/// so a reader can tell a torn or corrupted record from a good one.
public enum TensorBoardRecords {
    /// One record holding `data`.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count), bytes: 8)
        return length + littleEndian(UInt64(CRC32C.masked(length)), bytes: 4) + data
            + littleEndian(UInt64(CRC32C.masked(data)), bytes: 4)
    }

    /// The data of every record in `bytes`, each checked against both of its checksums; `path`
    /// names the file in errors.
    public static func split(_ bytes: [UInt8], path: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        func word(at start: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << UInt64(8 * $1) }
        }
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw FileFormatError(
                    .truncated, path: path, "record at byte \(offset): its 12-byte header is cut short")
            }
            let length = word(at: offset, 8)
            guard UInt64(CRC32C.masked(bytes[offset..<(offset + 8)])) == word(at: offset + 8, 4) else {
                throw FileFormatError(
                    .malformed, path: path, "record at byte \(offset): the length's checksum does not match")
            }
            let start = offset + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
                throw FileFormatError(
                    .truncated, path: path,
                    "record at byte \(offset): \(length) bytes of data and a checksum announced, "
                        + "\(bytes.count - start) bytes left")
            }
            let data = Array(bytes[start..<(start + Int(length))])
            guard UInt64(CRC32C.masked(data)) == word(at: start + Int(length), 4) else {
                throw FileFormatError(
                    .malformed, path: path, "record at byte \(offset): the data's checksum does not match")
            }
            records.append(data)
            offset = start + Int(length) + 4
        }
        return records
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }
}
