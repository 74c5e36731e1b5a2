import Foundation

/// The locks a stage command holds while it writes: its run folder's, so that it never runs
/// beside a `pipeline run` or another stage command of the same run, and its own folder's,
/// which `pipeline status` probes to show the stage as running (with the process id).
///
/// Inside `pipeline run` (or a stage that drives another, as compare drives train-flow) the
/// run folder is already locked by this process and is shared, not locked twice.
public final class StageLock {
    private var locks: [RunLock]

    private init(locks: [RunLock]) {
        self.locks = locks
    }

    deinit { release() }

    /// Locks `runFolder` (when `stageFolder` lies inside it) and then `stageFolder`.
    public static func acquire(stageFolder: URL, runFolder: URL) throws -> StageLock {
        let run = runFolder.standardizedFileURL.path
        var locks: [RunLock] = []
        if stageFolder.standardizedFileURL.path.hasPrefix(run + "/"),
            let runLock = try RunLock.acquireUnlessHeld(in: run)
        {
            locks.append(runLock)
        }
        do {
            locks.append(try RunLock.acquire(in: stageFolder.path))
        } catch {
            locks.forEach { $0.release() }
            throw error
        }
        return StageLock(locks: locks)
    }

    /// Gives both folders free, the stage's first. Calling it again does nothing.
    public func release() {
        for lock in locks.reversed() { lock.release() }
        locks = []
    }
}
