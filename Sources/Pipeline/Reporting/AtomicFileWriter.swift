import FileFormats
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes report files so that a reader sees either the old file or the complete new one:
/// the bytes go to a temporary file in the same folder (rename is only atomic within one file
/// system), are flushed to disk, and the temporary file is renamed over the target.
public enum AtomicFileWriter {
    /// Writes `data` to `path`, creating the folder if needed. Throws `FileFormatError` (.writeFailed).
    public static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw FileFormatError(.writeFailed, path: folder, "cannot create the folder: \(error.localizedDescription)")
            }
        }
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/.\(name).tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw FileFormatError(.writeFailed, path: path, "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkstemp makes the file private (0600); a report is an ordinary file.
        fchmod(fd, 0o644)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw FileFormatError(.writeFailed, path: path, error.localizedDescription)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileFormatError(.writeFailed, path: path, "cannot move the finished file into place: \(reason)")
        }
    }
}
