import ArgumentParser
import DataParallel
import Foundation
import Pipeline
import TensorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The entry point of `pipeline`: settle the process environment for OpenBLAS first (which
/// may re-execute the binary), then parse the command line and run the stage. Every error
/// ends as `error: <message>` on standard error and a non-zero exit status.
@main
enum PipelineMain {
    static func main() {
        // Line by line even into a pipe or a file, so that logs of long runs are current.
        setvbuf(stdout, nil, _IOLBF, 0)
        let arguments = Array(CommandLine.arguments.dropFirst())
        let threads = setUpProcess(arguments: arguments)
        BLASRuntime.configure(threads: threads)
        // Every op allocates its output afresh; keeping freed blocks in the heap spares the page
        // faults of fresh mappings on every pass (sampling passes measured 3–5 % faster).
        AllocatorTuning.keepFreedMemoryForReuse()
        StopSignal.shared.install()

        var command: ParsableCommand
        do {
            command = try PipelineCommand.parseAsRoot(arguments)
        } catch {
            exitForParseError(error)
        }
        do {
            try DataParallelCommands.check(command)
            try command.run()
        } catch {
            exitForRunError(error)
        }
        // A run cut short by a signal says so in its status, as the shell would for a killed one.
        let stop = StopSignal.shared
        // Under an MPI launcher: finalise MPI with the other ranks (nothing happens otherwise).
        MPIJob.end(success: true)
        exit(stop.stopRequested ? 128 + (stop.signalReceived ?? SIGINT) : 0)
    }

    /// Decides the OpenBLAS environment and re-executes if it must change (at most once); returns
    /// the thread count to use.
    static func setUpProcess(arguments: [String]) -> Int {
        let settings: BLASProcessSettings
        do {
            settings = try BLASProcessSetup.decide(
                environment: ProcessInfo.processInfo.environment,
                arguments: arguments,
                architecture: .current,
                processorCount: ProcessInfo.processInfo.activeProcessorCount,
                cpuFlags: CPUArchitecture.currentFeatureFlags())
        } catch {
            printError(String(describing: error))
            exit(ExitCode.validationFailure.rawValue)
        }
        if settings.needsRelaunch {
            let failure = ProcessRelauncher.relaunch(setting: settings.variablesToSet)
            fputs("warning: \(failure); going on with the OpenBLAS settings already loaded\n", stderr)
        }
        for warning in settings.warnings {
            fputs("warning: \(warning)\n", stderr)
        }
        return settings.threads
    }

    /// Help and version requests print and exit 0; anything else is a usage error.
    static func exitForParseError(_ error: Error) -> Never {
        let code = PipelineCommand.exitCode(for: error)
        let text = PipelineCommand.fullMessage(for: error)
        if code == .success {
            print(text)
            exit(0)
        }
        // ArgumentParser's text starts "Error: …" and continues with the usage; keep the usage.
        let prefix = "Error: "
        printError(text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
        exit(code.rawValue)
    }

    static func exitForRunError(_ error: Error) -> Never {
        if let exitCode = error as? ExitCode {
            MPIJob.end(success: exitCode == .success, code: exitCode.rawValue)
            exit(exitCode.rawValue)
        }
        let code = PipelineCommand.exitCode(for: error)
        if code == .success {
            // `pipeline help <stage>` arrives here: its "error" is the help text.
            print(PipelineCommand.fullMessage(for: error))
            exit(0)
        }
        printError(PipelineCommand.message(for: error))
        // Under an MPI launcher a failed rank ends the whole job, so no other rank waits for it.
        MPIJob.end(success: false, code: code.rawValue)
        exit(code == .success ? ExitCode.failure.rawValue : code.rawValue)
    }

    static func printError(_ message: String) {
        fflush(stdout)
        fputs("error: \(message)\n", stderr)
    }
}
