import Foundation
import Pipeline
import XCTest

final class RunLockTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "runlock-\(getpid())-\(UUID().uuidString)/run"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent)
    }

    private var lockPath: String { (folder as NSString).appendingPathComponent(RunLock.fileName) }

    func testAcquireCreatesTheFolderAndWritesThePID() throws {
        let lock = try RunLock.acquire(in: folder)
        XCTAssertEqual(lock.folder, folder)
        let text = try String(contentsOfFile: lockPath, encoding: .utf8)
        XCTAssertEqual(text, "\(getpid())\n")
        XCTAssertNil(lock.tookOverFromPID)
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: lockPath))
        lock.release()  // a second release does nothing
    }

    func testASecondHolderIsRefusedWithTheOwnersPID() throws {
        // Two acquisitions open two file descriptors, which flock treats as two owners.
        let first = try RunLock.acquire(in: folder)
        XCTAssertThrowsError(try RunLock.acquire(in: folder)) { error in
            XCTAssertEqual(error as? RunLockError, .inUse(folder: folder, pid: getpid()))
            XCTAssertEqual(String(describing: error), "run folder \(folder!) is in use by pid \(getpid())")
        }
        first.release()
        let second = try RunLock.acquire(in: folder)
        second.release()
    }

    func testReleaseOnDeinit() throws {
        do {
            _ = try RunLock.acquire(in: folder)
        }
        let again = try RunLock.acquire(in: folder)
        again.release()
    }

    func testAStaleLockOfADeadProcessIsTakenOver() throws {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/sh")
        finished.arguments = ["-c", "exit 0"]
        try finished.run()
        finished.waitUntilExit()
        let deadPID = finished.processIdentifier

        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "\(deadPID)\n".write(toFile: lockPath, atomically: false, encoding: .utf8)
        let lock = try RunLock.acquire(in: folder)
        XCTAssertEqual(lock.tookOverFromPID, deadPID)
        XCTAssertEqual(try String(contentsOfFile: lockPath, encoding: .utf8), "\(getpid())\n")
        lock.release()
    }

    func testALockHeldByAnotherProcessIsRefused() throws {
        let flockTool = "/usr/bin/flock"
        guard FileManager.default.isExecutableFile(atPath: flockTool) else {
            throw XCTSkip("needs \(flockTool) (util-linux) to hold a lock from a child process")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The child locks the file, writes its own pid into it (as a pipeline process would) and
        // holds the lock until its standard input closes.
        let holder = Process()
        let input = Pipe()
        holder.executableURL = URL(fileURLWithPath: flockTool)
        holder.arguments = [
            "--exclusive", "--nonblock", lockPath, "/bin/sh", "-c", "echo $PPID > \"$0\"; read line", lockPath,
        ]
        holder.standardInput = input
        try holder.run()
        defer {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOfFile: lockPath, encoding: .utf8))?.isEmpty ?? true, Date() < deadline {
            usleep(10_000)
        }
        XCTAssertThrowsError(try RunLock.acquire(in: folder)) { error in
            XCTAssertEqual(error as? RunLockError, .inUse(folder: folder, pid: holder.processIdentifier))
        }
        // Once the holder has exited, the kernel has dropped its lock and the folder is free.
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        let lock = try RunLock.acquire(in: folder)
        XCTAssertEqual(lock.tookOverFromPID, holder.processIdentifier)
        lock.release()
    }

    func testAFolderThatCannotBeCreatedIsAClearError() throws {
        let file = NSTemporaryDirectory() + "runlock-file-\(getpid())-\(UUID().uuidString)"
        try "not a folder".write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try RunLock.acquire(in: file + "/run")) { error in
            XCTAssertTrue(String(describing: error).contains(file), "\(error)")
        }
    }
}
