import FileFormats
import Foundation

/// One member of a tar archive, as announced before its contents are streamed.
struct TarEntry: Equatable {
    enum Kind: Equatable { case file, directory }
    /// A relative path with "/" separators, already checked to stay inside the destination.
    var path: String
    var kind: Kind
    var size: Int
}

/// Receives the members of a tar archive as they stream past.
protocol TarEntrySink: AnyObject {
    func begin(_ entry: TarEntry) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func end() throws
}

/// A streaming reader of POSIX ustar and GNU tar archives (with GNU long names and PAX `path`
/// records). Bytes are pushed in any chunk sizes; entries come out through a `TarEntrySink`.
///
/// It refuses what could write outside the destination or is not plain data: absolute paths,
/// `..` components, links and device files throw `DatasetError.unsafeArchive`.
final class TarReader {
    private enum State {
        case header
        /// Contents of a regular file still to pass through.
        case contents(remaining: Int, padding: Int)
        /// Contents of a GNU long-name or PAX header, collected to name the next entry.
        case metadata(kind: UInt8, remaining: Int, padding: Int)
        /// Padding after an entry.
        case skip(remaining: Int)
        case finished
    }

    private let path: String
    private let sink: TarEntrySink
    private var state = State.header
    private var block: [UInt8] = []
    private var metadata: [UInt8] = []
    private var nextName: String?
    private var offset = 0

    /// Entries larger than this (1 PiB) are refused: far beyond any real archive, and far enough
    /// from Int.max that sizes plus padding and offsets cannot overflow.
    static let maximumEntrySize = 1 << 50

    /// `path` names the archive in error messages.
    init(path: String, sink: TarEntrySink) {
        self.path = path
        self.sink = sink
        block.reserveCapacity(512)
    }

    var isFinished: Bool { if case .finished = state { return true } else { return false } }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var i = 0
        while i < bytes.count {
            switch state {
            case .finished:
                return  // Whatever follows the end-of-archive blocks is padding.
            case .header:
                let take = min(512 - block.count, bytes.count - i)
                block.append(contentsOf: bytes[i..<(i + take)])
                i += take
                if block.count == 512 {
                    try parseHeader()
                    block.removeAll(keepingCapacity: true)
                    offset += 512
                }
            case let .contents(remaining, padding):
                let take = min(remaining, bytes.count - i)
                if take > 0 { try sink.write(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)])) }
                i += take
                offset += take
                if remaining - take == 0 {
                    try sink.end()
                    state = padding > 0 ? .skip(remaining: padding) : .header
                } else {
                    state = .contents(remaining: remaining - take, padding: padding)
                }
            case let .metadata(kind, remaining, padding):
                let take = min(remaining, bytes.count - i)
                metadata.append(contentsOf: bytes[i..<(i + take)])
                i += take
                offset += take
                if remaining - take == 0 {
                    try applyMetadata(kind)
                    state = padding > 0 ? .skip(remaining: padding) : .header
                } else {
                    state = .metadata(kind: kind, remaining: remaining - take, padding: padding)
                }
            case let .skip(remaining):
                let take = min(remaining, bytes.count - i)
                i += take
                offset += take
                state = remaining - take == 0 ? .header : .skip(remaining: remaining - take)
            }
        }
    }

    /// Checks that the archive ended where it should (a truncated download does not).
    func finish() throws {
        switch state {
        case .finished:
            return
        case .header where block.isEmpty:
            // Some writers omit the two zero blocks; ending on a block boundary is fine.
            return
        default:
            throw FileFormatError(.truncated, path: path, "tar data ends early, inside an entry, at byte \(offset)")
        }
    }

    private func parseHeader() throws {
        if block.allSatisfy({ $0 == 0 }) {
            state = .finished
            return
        }
        let stored = try octal(148, 8, field: "checksum")
        var sum = 0
        for (k, byte) in block.enumerated() { sum += (148..<156).contains(k) ? 32 : Int(byte) }
        guard stored == sum else {
            throw FileFormatError(
                .malformed, path: path,
                "tar header at byte \(offset) has a bad checksum (stored \(stored), computed \(sum))")
        }
        let size = try number(124, 12, field: "size")
        // A GNU base-256 size can come within 511 of Int.max, where adding the padding to skip
        // overflowed (a trap with checks on, a negative skip and a loop in -Ounchecked builds).
        if size > TarReader.maximumEntrySize {
            throw FileFormatError(
                .malformed, path: path,
                "tar entry at byte \(offset) claims \(size) bytes, more than any archive holds (\(TarReader.maximumEntrySize))"
            )
        }
        let padding = (512 - size % 512) % 512
        let type = block[156]
        switch type {
        case UInt8(ascii: "L"), UInt8(ascii: "x"):
            guard size <= 1 << 20 else {
                throw FileFormatError(
                    .malformed, path: path, "tar metadata entry at byte \(offset) is implausibly large")
            }
            metadata.removeAll()
            state = size > 0 ? .metadata(kind: type, remaining: size, padding: padding) : .header
            if size == 0 { try applyMetadata(type) }
            return
        case UInt8(ascii: "g"), UInt8(ascii: "K"):
            // Global PAX settings and long link names carry nothing we use.
            state = size > 0 ? .skip(remaining: size + padding) : .header
            return
        default:
            break
        }
        let name = try nextName ?? headerName()
        nextName = nil
        let kind: TarEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            kind = .file
        case UInt8(ascii: "5"):
            kind = .directory
        case UInt8(ascii: "1"), UInt8(ascii: "2"):
            throw DatasetError(.unsafeArchive, "\(path): entry \"\(name)\" is a link; links are not unpacked")
        default:
            throw DatasetError(
                .unsafeArchive,
                "\(path): entry \"\(name)\" has type '\(Character(Unicode.Scalar(type)))', not a file or folder")
        }
        let safe = try TarReader.safeRelativePath(name, archive: path)
        if kind == .directory {
            if !safe.isEmpty {
                try sink.begin(TarEntry(path: safe, kind: .directory, size: 0))
                try sink.end()
            }
            state = size > 0 ? .skip(remaining: size + padding) : .header
            return
        }
        guard !safe.isEmpty else {
            throw DatasetError(.unsafeArchive, "\(path): a file entry at byte \(offset) has an empty name")
        }
        try sink.begin(TarEntry(path: safe, kind: .file, size: size))
        if size == 0 {
            try sink.end()
            state = .header
        } else {
            state = .contents(remaining: size, padding: padding)
        }
    }

    /// The name from the header: ustar splits long paths into prefix and name.
    private func headerName() throws -> String {
        let name = string(0, 100)
        let isUstar = block[257..<263].elementsEqual(Array("ustar\0".utf8))
        let prefix = isUstar ? string(345, 155) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private func applyMetadata(_ kind: UInt8) throws {
        if kind == UInt8(ascii: "L") {
            let bytes = metadata.prefix { $0 != 0 }
            nextName = String(decoding: bytes, as: UTF8.self)
        } else if let path = TarReader.paxPath(metadata) {
            nextName = path
        }
        metadata.removeAll()
    }

    /// The `path` record of a PAX extended header ("<length> path=<value>\n" records).
    static func paxPath(_ data: [UInt8]) -> String? {
        var i = 0
        var found: String?
        while i < data.count {
            // The length counts the whole record, its own digits and space included: one that
            // ends before its space is malformed (and would make the range below run backwards).
            guard let space = data[i...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: data[i..<space], as: UTF8.self)), length > 0,
                length <= data.count - i, space < i + length
            else { break }
            let record = String(decoding: data[(space + 1)..<(i + length)], as: UTF8.self)
            if record.hasPrefix("path=") {
                found = String(record.dropFirst(5).dropLast(record.hasSuffix("\n") ? 1 : 0))
            }
            i += length
        }
        return found
    }

    /// `name` without "./" prefixes or trailing "/", refused if it is absolute or climbs out with "..".
    static func safeRelativePath(_ name: String, archive: String) throws -> String {
        if name.hasPrefix("/") {
            throw DatasetError(.unsafeArchive, "\(archive): entry \"\(name)\" has an absolute path; refusing to unpack")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") {
            throw DatasetError(
                .unsafeArchive, "\(archive): entry \"\(name)\" climbs out with \"..\"; refusing to unpack")
        }
        return parts.joined(separator: "/")
    }

    private func string(_ start: Int, _ length: Int) -> String {
        let field = block[start..<(start + length)]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A numeric field: octal digits, or GNU base-256 (high bit set) for values that do not fit.
    private func number(_ start: Int, _ length: Int, field: String) throws -> Int {
        if block[start] & 0x80 != 0 {
            var value = 0
            for k in 1..<length {
                guard value < Int.max >> 8 else {
                    throw FileFormatError(.malformed, path: path, "tar \(field) at byte \(offset) is too large")
                }
                value = (value << 8) | Int(block[start + k])
            }
            return value
        }
        return try octal(start, length, field: field)
    }

    private func octal(_ start: Int, _ length: Int, field: String) throws -> Int {
        var value = 0
        var seenDigit = false
        for byte in block[start..<(start + length)] {
            if byte == 0 || byte == 32 { if seenDigit { break } else { continue } }
            guard byte >= 48 && byte <= 55, value < Int.max >> 3 else {
                throw FileFormatError(
                    .malformed, path: path, "tar \(field) field at byte \(offset) is not an octal number")
            }
            value = value * 8 + Int(byte - 48)
            seenDigit = true
        }
        return value
    }
}
