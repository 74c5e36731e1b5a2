#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over the POSIX calls used for durable, atomic writes, turning `errno`
/// into `FileFormatError`s that say what failed in words a user can act on.
enum SystemCalls {
    /// A human explanation of an errno value, with the common cases spelled out.
    static func explain(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        switch code {
        case ENOSPC: return "no space left on device (disk full): \(text)"
        case EDQUOT: return "disk quota exceeded: \(text)"
        case EACCES, EPERM: return "permission denied: \(text)"
        case EROFS: return "read-only file system: \(text)"
        case ENOENT: return "folder does not exist: \(text)"
        default: return text
        }
    }

    static func fail(_ path: String, _ action: String, _ code: Int32 = errno) -> FileFormatError {
        FileFormatError(.writeFailed, path: path, "\(action): \(explain(code))")
    }

    /// Opens (creating exclusively) a new file for writing.
    static func createExclusive(_ path: String) throws -> Int32 {
        while true {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw fail(path, "cannot create file") }
        }
    }

    /// Opens an existing file for writing, truncating it.
    static func openForWriting(_ path: String) throws -> Int32 {
        while true {
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            if fd >= 0 { return fd }
            if errno != EINTR { throw fail(path, "cannot open for writing") }
        }
    }

    /// Writes every byte, retrying on short writes and interrupts.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(path, "cannot write")
            }
            offset += n
        }
    }

    static func sync(_ fd: Int32, path: String) throws {
        while fsync(fd) != 0 {
            if errno != EINTR { throw fail(path, "cannot flush to disk") }
        }
    }

    static func close(_ fd: Int32, path: String) throws {
        // close can report a deferred write error (e.g. on network file systems); EINTR must not be retried.
        if closeDescriptor(fd) != 0 && errno != EINTR { throw fail(path, "cannot close") }
    }

    private static func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
            return Glibc.close(fd)
        #elseif canImport(Musl)
            return Musl.close(fd)
        #else
            return Darwin.close(fd)
        #endif
    }

    /// fsync of an existing file by path (used before renaming a file written by a library).
    static func syncFile(atPath path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw fail(path, "cannot open to flush") }
        defer { _ = closeDescriptor(fd) }
        try sync(fd, path: path)
    }

    /// Best-effort fsync of a directory so a rename inside it survives a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = closeDescriptor(fd)
    }

    static func rename(_ from: String, _ to: String) throws {
        #if canImport(Glibc)
            let rc = Glibc.rename(from, to)
        #elseif canImport(Musl)
            let rc = Musl.rename(from, to)
        #else
            let rc = Darwin.rename(from, to)
        #endif
        if rc != 0 { throw fail(to, "cannot rename \(from) into place") }
    }

    static func remove(_ path: String) { _ = unlink(path) }

    static var processID: Int32 { getpid() }
}
