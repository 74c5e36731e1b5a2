import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exclusive use of a run folder by one `pipeline` process, so that two trainings never write
/// the same checkpoints.
///
/// The lock is an advisory `flock` on a file in the folder that also holds the owner's process
/// id (for the error message). The kernel drops the lock when its owner exits, however it exits,
/// so a lock file left behind by a crashed or killed process is simply taken over.
public final class RunLock {
    /// The name of the lock file inside a run folder.
    public static let fileName = ".pipeline.lock"

    /// The locked folder.
    public let folder: String
    /// The lock file.
    public let path: String
    /// The process id found in a lock file left by a process that no longer holds it, if any.
    public let tookOverFromPID: Int32?

    private var descriptor: Int32

    private init(folder: String, path: String, descriptor: Int32, tookOverFromPID: Int32?) {
        self.folder = folder
        self.path = path
        self.descriptor = descriptor
        self.tookOverFromPID = tookOverFromPID
    }

    deinit { release() }

    /// Locks `folder` (creating it if needed) for this process until `release()` or the end of
    /// the process. Throws `RunLockError.inUse` if another process, or another `RunLock` of this
    /// one, holds it.
    public static func acquire(in folder: String) throws -> RunLock {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RunLockError.cannotLock(
                path: folder, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
        let path = (folder as NSString).appendingPathComponent(fileName)
        // A releasing owner deletes the file while still holding the lock; whoever locked the
        // deleted file in that instant tries again on the new one.
        for _ in 0..<8 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw RunLockError.cannotLock(path: path, reason: String(cString: strerror(errno)))
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let owner = readPID(fd)
                close(fd)
                if code == EWOULDBLOCK || code == EAGAIN {
                    throw RunLockError.inUse(folder: folder, pid: owner)
                }
                throw RunLockError.cannotLock(path: path, reason: "flock: \(String(cString: strerror(code)))")
            }
            guard isStillLinked(fd, path: path) else {
                close(fd)
                continue
            }
            let previous = readPID(fd)
            let text = Array("\(getpid())\n".utf8)
            let written = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard ftruncate(fd, off_t(text.count)) == 0, written == text.count else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw RunLockError.cannotLock(path: path, reason: "cannot write the process id: \(reason)")
            }
            let stale = previous.flatMap { $0 != getpid() ? $0 : nil }
            HeldFolders.shared.insert(key(folder))
            return RunLock(folder: folder, path: path, descriptor: fd, tookOverFromPID: stale)
        }
        throw RunLockError.cannotLock(path: path, reason: "the lock file keeps being replaced by another process")
    }

    /// Locks `folder` unless this process holds it already, in which case it returns nil: a
    /// stage command run inside `pipeline run` shares the run's lock instead of refusing it.
    public static func acquireUnlessHeld(in folder: String) throws -> RunLock? {
        if HeldFolders.shared.contains(Self.key(folder)) { return nil }
        return try acquire(in: folder)
    }

    /// Who holds the lock of `folder` now, if anyone. It only looks: a shared `flock` probe on
    /// the lock file, given back at once, never creating anything.
    public static func holder(of folder: String) -> Holder? {
        if HeldFolders.shared.contains(key(folder)) { return Holder(pid: getpid()) }
        let path = (folder as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return errno == EWOULDBLOCK || errno == EAGAIN ? Holder(pid: readPID(fd)) : nil
    }

    /// The process holding a lock.
    public struct Holder: Equatable, Sendable {
        public let pid: Int32?
    }

    private static func key(_ folder: String) -> String { URL(fileURLWithPath: folder).standardizedFileURL.path }

    /// Gives the folder free: deletes the lock file (while still holding the lock, so no one
    /// can lock it in between) and closes it. Calling it again does nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        HeldFolders.shared.remove(RunLock.key(folder))
        if RunLock.isStillLinked(descriptor, path: path) {
            unlink(path)
        }
        close(descriptor)
        descriptor = -1
    }

    /// The process id written in the lock file, if it holds one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `path` still names the file open as `fd` (it may have been deleted or replaced).
    private static func isStillLinked(_ fd: Int32, path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }
}

/// The folders this process holds locks on.
private final class HeldFolders: @unchecked Sendable {
    static let shared = HeldFolders()
    private let lock = NSLock()
    private var folders: Set<String> = []

    func contains(_ folder: String) -> Bool { lock.withLock { folders.contains(folder) } }
    func insert(_ folder: String) { _ = lock.withLock { folders.insert(folder) } }
    func remove(_ folder: String) { _ = lock.withLock { folders.remove(folder) } }
}

/// Why a run folder could not be locked.
public enum RunLockError: Error, CustomStringConvertible, Equatable {
    /// Another process (or another lock in this process) holds the folder.
    case inUse(folder: String, pid: Int32?)
    /// The lock file could not be created, locked or written.
    case cannotLock(path: String, reason: String)

    public var description: String {
        switch self {
        case .inUse(let folder, let pid?):
            return "run folder \(folder) is in use by pid \(pid)"
        case .inUse(let folder, nil):
            return "run folder \(folder) is in use by another process"
        case .cannotLock(let path, let reason):
            return "\(path): cannot lock the run folder: \(reason)"
        }
    }
}

extension RunLockError: LocalizedError {
    public var errorDescription: String? { description }
}
