import CHDF5
import Foundation

/// Process-wide access to libhdf5. The serial library is not guaranteed to be thread-safe
/// (Debian happens to build it thread-safe, others do not), so every call into it from this
/// module happens inside `locked`, under one recursive lock.
enum HDF5Library {
    private static let lock = NSRecursiveLock()

    /// Done once, before the library's first call: no clean-up at process exit. After a failed
    /// close (a full disk), HDF5's exit handler walks the half-closed file's freed structures
    /// and crashes the process after the error was already reported; every file this module
    /// opens is closed explicitly, so the handler has nothing useful to do.
    private static let noExitHandler: Void = { _ = H5dont_atexit() }()

    /// Runs `body` holding the library lock, with HDF5's own error printing switched off for
    /// this thread (thread-safe builds keep that setting per thread).
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        _ = noExitHandler
        fmf_h5_silence_errors()
        return try body()
    }

    /// The description of the innermost entries on HDF5's error stack for this thread, then clears it.
    static func takeErrorStack() -> String {
        final class Collector { var lines: [String] = [] }
        let collector = Collector()
        let walker: H5E_walk2_t = { _, entry, context in
            guard let entry, let context else { return 0 }
            let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
            let description = entry.pointee.desc.map { String(cString: $0) } ?? ""
            let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
            if !description.isEmpty { collector.lines.append("\(function): \(description)") }
            return 0
        }
        _ = withExtendedLifetime(collector) {
            H5Ewalk2(fmf_h5e_default(), H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(collector).toOpaque())
        }
        H5Eclear2(fmf_h5e_default())
        // The outermost entry is the API call; the next one or two say why it failed.
        return collector.lines.prefix(3).joined(separator: "; ")
    }

    /// An error for a failed HDF5 call on `object` in `file`, including HDF5's own explanation.
    static func error(
        _ kind: FileFormatError.Kind = .malformed, file: String, object: String?,
        _ action: String
    ) -> FileFormatError {
        let detail = takeErrorStack()
        let where_ = object.map { "object '\($0)': " } ?? ""
        return FileFormatError(kind, path: file, "\(where_)\(action)\(detail.isEmpty ? "" : " (HDF5: \(detail))")")
    }
}
