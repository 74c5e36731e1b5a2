import CMPI
import Foundation

/// MPI_COMM_WORLD of an Open MPI job, through the run-time binding of `CMPI`.
///
/// MPI can be initialised once per process, so there is one instance (`MPICommunicator.join`).
/// Collectives return errors instead of ending the process, and the errors name the rank and the
/// operation; `MPIJob.end` finalises MPI on success and aborts the whole job on failure.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// MPI granted at least MPI_THREAD_SERIALIZED: calls may come from a worker thread, one at a time.
    public let allowsBackgroundReductions: Bool
    /// The library that was loaded, for messages.
    public let library: String

    private init(rank: Int, size: Int, threadLevel: Int32, library: String) {
        self.rank = rank
        self.size = size
        self.allowsBackgroundReductions = threadLevel >= Int32(CMPI_THREAD_SERIALIZED)
        self.library = library
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var joined: Result<MPICommunicator, DataParallelError>?

    /// Loads `library`, initialises MPI and returns the world communicator; later calls return
    /// the same one (or the same error).
    public static func join(library: String) throws -> MPICommunicator {
        lock.lock()
        defer { lock.unlock() }
        if let joined { return try joined.get() }
        let result: Result<MPICommunicator, DataParallelError>
        do {
            result = .success(try initialize(library: library))
        } catch {
            result = .failure(error as? DataParallelError ?? DataParallelError(String(describing: error)))
        }
        joined = result
        if case .success = result { MPIJob.installExitGuard() }
        return try result.get()
    }

    private static func initialize(library: String) throws -> MPICommunicator {
        var message = [CChar](repeating: 0, count: 1024)
        guard cmpi_load(library, &message, message.count) == 0 else {
            throw DataParallelError(
                "this process was started by an MPI launcher, but \(String(cString: message)); "
                    + "install Open MPI (Debian: openmpi-bin) or name its libmpi in \(LaunchEnvironment.libraryVariable)"
            )
        }
        var provided: Int32 = 0, rank: Int32 = 0, size: Int32 = 0
        let status = cmpi_initialize(Int32(CMPI_THREAD_SERIALIZED), &provided, &rank, &size)
        guard status == 0 else {
            throw DataParallelError("MPI_Init_thread failed (\(library)): \(errorText(status))")
        }
        return MPICommunicator(rank: Int(rank), size: Int(size), threadLevel: provided, library: library)
    }

    static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 1024)
        cmpi_error_text(code, &text, text.count)
        return String(cString: text)
    }

    private func check(_ status: Int32, _ operation: String) throws {
        guard status == 0 else {
            throw DataParallelError(
                "rank \(rank) of \(size): \(operation) failed: \(Self.errorText(status)) "
                    + "(another rank has probably died; see its output above)")
        }
    }

    /// MPI counts are 32-bit: longer buffers go in pieces.
    private static let maximumCount = Int(Int32.max)

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress else { return }
        var start = 0
        while start < buffer.count {
            let count = min(Self.maximumCount, buffer.count - start)
            try check(cmpi_allreduce_sum_float(base + start, Int32(count)), "allreduce of \(count) floats")
            start += count
        }
    }

    public func allreduceSum(_ values: inout [Double]) throws {
        let count = values.count
        try check(
            values.withUnsafeMutableBufferPointer { cmpi_allreduce_sum_double($0.baseAddress, Int32(count)) },
            "allreduce of \(count) doubles")
    }

    public func allreduceMax(_ values: inout [Double]) throws {
        let count = values.count
        try check(
            values.withUnsafeMutableBufferPointer { cmpi_allreduce_max_double($0.baseAddress, Int32(count)) },
            "allreduce (max) of \(count) doubles")
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        precondition(
            bytes.count <= Self.maximumCount, "broadcast: \(bytes.count) bytes is more than one MPI call takes")
        try check(
            cmpi_broadcast_bytes(bytes.baseAddress, Int32(bytes.count), Int32(root)), "broadcast from rank \(root)")
    }

    public func barrier() throws {
        try check(cmpi_barrier(), "barrier")
    }
}
