/// A check of a PNG's chunk lengths before libpng reads it: every chunk must fit in the bytes
/// after it. libpng allocates an ancillary chunk's buffer from the length the chunk declares,
/// before reading it, so a 41-byte file whose `tEXt` chunk claimed 1 GiB made it allocate 1 GiB
/// (found by fuzzing; Tests/FileFormatsTests/Fixtures/png-text-chunk-claims-1-gib.png). With this
/// check no chunk can make it allocate more than the file's own size.
enum PNGChunkLengths {
    /// Walks the chunks after the 8-byte signature up to `IEND`; throws for the first whose
    /// declared length runs past the end of the file.
    static func check(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 8
        while offset + 8 <= bytes.count {
            // Each chunk: 4-byte big-endian length, 4-byte type, the data, 4-byte CRC.
            let length = (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
            let type = String(
                decoding: bytes[(offset + 4)..<(offset + 8)].map { isLetter($0) ? $0 : UInt8(ascii: "?") },
                as: UTF8.self)
            let following = bytes.count - offset - 12
            if length > following {
                throw FileFormatError(
                    .malformed, path: path,
                    "PNG chunk '\(type)' at byte \(offset) claims \(length) bytes, but only \(max(0, following)) follow it (a corrupt length or a cut file)"
                )
            }
            if type == "IEND" { return }
            offset += 12 + length
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}
