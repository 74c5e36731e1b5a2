import CMPI
import Foundation

/// The end of an MPI job, as the process sees it.
///
/// MPI_Finalize is collective: a rank that failed and finalised would wait for the others, which
/// wait in their next allreduce for it, and the job would hang. So a failing rank aborts the
/// whole job instead (MPI_Abort: the launcher ends every rank and reports it), and a rank that
/// succeeded finalises. A process that exits without saying which (an `exit` from somewhere
/// else) is taken as failed by the exit guard. Nothing here does anything when MPI was never
/// initialised, i.e. in every single-process run.
public enum MPIJob {
    /// Call just before the process exits: finalises MPI when `success`, else aborts the job
    /// with `code` after printing `message` (prefixed with the rank) on standard error.
    public static func end(success: Bool, code: Int32 = 1, message: String? = nil) {
        guard cmpi_is_active() != 0 else { return }
        if success {
            _ = cmpi_finalize()
        } else {
            abortJob(code: code, message: message ?? "failed")
        }
    }

    static func abortJob(code: Int32, message: String) {
        let communicator = try? MPICommunicator.join(library: LaunchEnvironment.defaultLibrary)
        let who = communicator.map { "rank \($0.rank) of \($0.size)" } ?? "a rank"
        fputs("error: \(who): \(message); ending the MPI job\n", stderr)
        _ = cmpi_abort(code == 0 ? 1 : code)
    }

    /// Registers the `atexit` handler that aborts a job whose process exits with MPI still active.
    static func installExitGuard() {
        atexit {
            guard cmpi_is_active() != 0 else { return }
            MPIJob.abortJob(code: 1, message: "exited without finishing MPI")
        }
    }
}
