import Foundation

/// Reader for MATLAB 5 (Level 5) MAT-files: numeric arrays only.
///
/// Layout: a 128-byte header (descriptive text, subsystem offset, version 0x0100 and the
/// endian indicator "IM"/"MI"), then data elements, each with an 8-byte tag (type, byte count)
/// or a 4-byte "small element" tag carrying up to 4 bytes of data. Variables are `miMATRIX`
/// elements, possibly wrapped in zlib-compressed `miCOMPRESSED` elements (MATLAB 7's default).
///
/// Numeric arrays (double, single, int8…uint64 classes), whatever type their data is stored
/// in, are returned as Double. Cell arrays, structs, objects, character arrays, sparse and
/// complex arrays are skipped: they are not part of the result.
public enum MATFile {
    /// Decompressed elements larger than this are refused (protects against zip bombs).
    public static let maximumInflatedSize = 1 << 30

    public static func read(from url: URL) throws -> [String: MATArray] {
        try decode(FileBytes.read(url), path: url.path)
    }

    /// Parses a MAT-file held in memory; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws -> [String: MATArray] {
        try data.withUnsafeBytes { bytes in
            let bigEndian = try parseHeader(bytes, path: path)
            let parser = MATElementParser(path: path, bigEndian: bigEndian, inflateLimit: maximumInflatedSize)
            var arrays: [String: MATArray] = [:]
            try parser.parseElements(UnsafeRawBufferPointer(rebasing: bytes[128...]), depth: 0) { name, array in
                arrays[name] = array
            }
            return arrays
        }
    }

    /// Checks the header and returns whether the file is big-endian.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Bool {
        guard bytes.count >= 128 else {
            throw FileFormatError(
                .truncated, path: path, "\(bytes.count) bytes; a MAT-file starts with a 128-byte header")
        }
        if bytes[0..<4].contains(0) {
            throw FileFormatError(.unsupported, path: path, "looks like a MATLAB 4 MAT-file, which is not supported")
        }
        guard bytes.starts(with: Array("MATLAB".utf8)) else {
            throw FileFormatError(.badMagic, path: path, "header text does not start with 'MATLAB'")
        }
        let bigEndian: Bool
        switch (bytes[126], bytes[127]) {
        case (UInt8(ascii: "I"), UInt8(ascii: "M")): bigEndian = false
        case (UInt8(ascii: "M"), UInt8(ascii: "I")): bigEndian = true
        default: throw FileFormatError(.badMagic, path: path, "bad endian indicator (expected 'IM' or 'MI')")
        }
        let version = MATByteReader(bytes, bigEndian: bigEndian).integer(UInt16.self, at: 124)
        switch version {
        case 0x0100: return bigEndian
        case 0x0200:
            throw FileFormatError(
                .unsupported, path: path, "MATLAB 7.3 MAT-file: it is an HDF5 file, open it with HDF5File")
        default:
            throw FileFormatError(
                .unsupported, path: path, "MAT-file version 0x\(String(version, radix: 16)) (expected 0x0100)")
        }
    }
}
