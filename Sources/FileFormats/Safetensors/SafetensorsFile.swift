import Foundation

/// A safetensors file: named tensors plus string metadata.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON header, then the tensor data.
/// Each header entry gives dtype, shape and `data_offsets` [begin, end) relative to the data region.
public struct SafetensorsFile: Sendable {
    public var tensors: [String: SafetensorsTensor]
    public var metadata: [String: String]

    /// Headers larger than this are refused before any allocation (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    public init(tensors: [String: SafetensorsTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws -> SafetensorsFile {
        try decode(FileBytes.read(url), path: url.path)
    }

    /// Parses and validates a complete file held in memory; `path` is used in error messages.
    public static func decode(_ data: Data, path: String) throws -> SafetensorsFile {
        guard data.count >= 8 else {
            throw FileFormatError(
                .truncated, path: path, "\(data.count) bytes; a safetensors file starts with an 8-byte header length")
        }
        let base = data.startIndex
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[base + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw FileFormatError(
                .malformed, path: path, "safetensors header length \(headerLength) exceeds the 100 MB limit")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw FileFormatError(
                .truncated, path: path,
                "safetensors header length \(headerLength) exceeds the \(data.count - 8) bytes after it")
        }
        let headerEnd = base + 8 + Int(headerLength)
        let header = try SafetensorsHeader.parse(data[(base + 8)..<headerEnd], path: path)
        let dataLength = data.count - 8 - Int(headerLength)

        // Validate every entry, then check the byte ranges tile the data region exactly.
        var ranges: [(begin: Int, end: Int, name: String)] = []
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, entry) in header.entries {
            guard tensors[name] == nil else {
                throw FileFormatError(.malformed, path: path, "tensor '\(name)' appears twice in the header")
            }
            guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
                throw FileFormatError(.unsupported, path: path, "tensor '\(name)': unsupported dtype '\(entry.dtype)'")
            }
            guard let count = ShapeMath.elementCount(entry.shape) else {
                throw FileFormatError(.malformed, path: path, "tensor '\(name)': invalid shape \(entry.shape)")
            }
            guard entry.data_offsets.count == 2 else {
                throw FileFormatError(.malformed, path: path, "tensor '\(name)': data_offsets must be [begin, end]")
            }
            let begin = entry.data_offsets[0], end = entry.data_offsets[1]
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw FileFormatError(
                    .malformed, path: path,
                    "tensor '\(name)': data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data region")
            }
            let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, expected == end - begin else {
                throw FileFormatError(
                    .malformed, path: path,
                    "tensor '\(name)': \(end - begin) bytes do not hold \(dtype.rawValue) shape \(entry.shape)")
            }
            ranges.append((begin, end, name))
            let bytes = [UInt8](data[(headerEnd + begin)..<(headerEnd + end)])
            tensors[name] = try SafetensorsTensor(dtype: dtype, shape: entry.shape, bytes: bytes)
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for r in ranges {
            guard r.begin == covered else {
                let problem = r.begin < covered ? "overlaps the previous tensor" : "leaves a gap before it"
                throw FileFormatError(
                    .malformed, path: path, "tensor '\(r.name)': data_offsets [\(r.begin), \(r.end)] \(problem)")
            }
            covered = r.end
        }
        guard covered == dataLength else {
            throw FileFormatError(
                .malformed, path: path,
                "tensors cover \(covered) of the \(dataLength) data bytes; the rest is unaccounted for")
        }
        return SafetensorsFile(tensors: tensors, metadata: header.metadata)
    }

    /// The file's bytes: tensors in name order, contiguous; header padded with spaces to 8 bytes.
    public func encoded() throws -> Data {
        guard tensors[SafetensorsHeader.metadataKey] == nil else {
            throw FileFormatError(
                .malformed, path: "<safetensors>",
                "a tensor may not be named '\(SafetensorsHeader.metadataKey)'")
        }
        let names = tensors.keys.sorted()
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        var offset = 0
        for name in names {
            let t = tensors[name]!
            guard let count = ShapeMath.elementCount(t.shape), count * t.dtype.byteSize == t.bytes.count else {
                // Possible because the fields are mutable after validation.
                throw FileFormatError(
                    .malformed, path: "<safetensors>",
                    "tensor '\(name)': \(t.bytes.count) bytes do not hold \(t.dtype.rawValue) shape \(t.shape)")
            }
            entries.append((name, t.dtype, t.shape, offset, offset + t.bytes.count))
            offset += t.bytes.count
        }
        let header = SafetensorsHeader.encode(metadata: metadata, entries: entries)
        var data = Data(capacity: 8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names { data.append(contentsOf: tensors[name]!.bytes) }
        return data
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public func write(to url: URL) throws {
        let data: Data
        do {
            data = try encoded()
        } catch let error as FileFormatError {
            throw FileFormatError(error.kind, path: url.path, error.message)
        }
        try AtomicFile.write(data, to: url)
    }
}
