import CZlib
import FileFormats
import Foundation

/// Streaming gzip decompression through zlib, so that a 330 MB archive never has to be in
/// memory at once. Concatenated gzip members (as `cat a.gz b.gz` makes) are read in turn.
final class GzipInflater {
    private var stream = z_stream()
    private let path: String
    private var ended = false
    private var sawInput = false
    private var output = [UInt8](repeating: 0, count: 1 << 18)

    /// `path` names the archive in error messages.
    init(path: String) throws {
        self.path = path
        // 15 + 32: a 32 KiB window, and accept the gzip (or zlib) header automatically.
        let status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw FileFormatError(.unreadable, path: path, "zlib could not start decompressing (status \(status))")
        }
    }

    deinit { inflateEnd(&stream) }

    /// Decompresses `input`, handing each piece of output to `sink` as it is produced.
    func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard input.count > 0 else { return }
        if ended {
            // Another gzip member follows the one that ended.
            guard inflateReset(&stream) == Z_OK else {
                throw FileFormatError(.malformed, path: path, "zlib could not restart for the next gzip member")
            }
            ended = false
        }
        sawInput = true
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        try output.withUnsafeMutableBytes { out in
            repeat {
                if ended {
                    guard inflateReset(&stream) == Z_OK else {
                        throw FileFormatError(.malformed, path: path, "zlib could not restart for the next gzip member")
                    }
                    ended = false
                }
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = out.count - Int(stream.avail_out)
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    break
                case Z_STREAM_END:
                    ended = true
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw FileFormatError(.malformed, path: path, "not valid gzip data: \(reason)")
                }
                if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: out[0..<produced])) }
                if status == Z_BUF_ERROR && produced == 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
        }
    }

    /// Confirms that the compressed data ended properly (a cut-off download does not).
    func finish() throws {
        guard sawInput else { throw FileFormatError(.truncated, path: path, "the gzip file is empty") }
        guard ended else {
            throw FileFormatError(.truncated, path: path, "the gzip data ends early: the archive is incomplete")
        }
    }
}
