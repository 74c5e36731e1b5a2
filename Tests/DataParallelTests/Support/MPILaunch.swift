import Foundation
import TensorCore
import XCTest

/// Programs started alone and as the ranks of Open MPI's `mpirun`, for the tests that run real
/// MPI processes. Skipped (with the reason) where `mpirun` is not installed; FMF_REQUIRE_MPI=1
/// turns the skip into a failure (CI, where it installs Open MPI).
enum MPILaunch {
    static func mpirun() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let message = "Open MPI's mpirun is not on PATH (Debian: apt-get install openmpi-bin libopenmpi-dev)"
        if ProcessInfo.processInfo.environment["FMF_REQUIRE_MPI"] == "1" { XCTFail(message) }
        throw XCTSkip(message)
    }

    /// An executable SwiftPM built next to this test bundle (`DataParallelCheck`, `pipeline`).
    static func builtProgram(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs `executable arguments` in `directory` with one OpenBLAS thread; returns its status and
    /// output (standard output and error together).
    static func launch(_ executable: URL, _ arguments: [String], in directory: URL? = nil) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        // `pipeline` sets its own OpenBLAS environment from --threads; the check program takes this.
        for name in environment.keys where name.hasPrefix("FMF_") && name != "FMF_MPI_LIBRARY" {
            environment[name] = nil
        }
        environment["OPENBLAS_NUM_THREADS"] = "1"
        // Open MPI refuses to run as root unless told that it is meant (CI runs as root).
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// `mpirun -np ranks program arguments`. Oversubscribe: the ranks may outnumber the cores;
    /// yield: a waiting rank gives its core away.
    static func runRanks(_ ranks: Int, _ program: URL, _ arguments: [String], in directory: URL? = nil) throws -> (
        status: Int32, output: String
    ) {
        try launch(
            try mpirun(),
            [
                "-np", String(ranks), "--oversubscribe", "--mca", "mpi_yield_when_idle", "1",
                "--mca", "btl", "self,vader,tcp", program.path,
            ] + arguments, in: directory)
    }

    /// A checkpoint's weights and EMA averages by name, for `WeightDifference`.
    static func checkpointWeights(_ url: URL) throws -> [(name: String, value: [Float])] {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        var named = checkpoint.parameters.keys.sorted().map { (name: $0, value: checkpoint.parameters[$0]!.values) }
        if let ema = checkpoint.ema?.averages {
            named += ema.keys.sorted().map { (name: "ema." + $0, value: ema[$0]!.values) }
        }
        return named
    }
}
