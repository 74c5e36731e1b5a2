import CZlib
import Foundation

/// zlib (RFC 1950) decompression with an output limit, so a small malicious input cannot
/// expand into unbounded memory.
enum ZlibInflate {
    enum Failure: Error {
        case truncated
        case corrupt(String)
        case tooLarge(limit: Int)
    }

    /// Inflates a complete zlib stream. Bytes after the end of the stream are ignored.
    static func inflate(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure.corrupt("zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        guard input.count > 0 else { throw Failure.truncated }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(min(input.count, Int(UInt32.max)))

        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: max(4096, min(input.count * 4, 1 << 22)))
        while true {
            let status: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            if output.count + produced > limit { throw Failure.tooLarge(limit: limit) }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END:
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: the input ended before the stream did.
                if stream.avail_in == 0 { throw Failure.truncated }
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw Failure.corrupt(message)
            }
        }
    }
}
