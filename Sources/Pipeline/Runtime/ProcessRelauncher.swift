import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Re-executes the running binary with extra environment variables: the only way to give
/// OpenBLAS settings that it reads while loading, before `main`.
public enum ProcessRelauncher {
    /// Sets `variables` in this process's environment and replaces the process with a fresh
    /// copy of the same binary and the same arguments (`execv`; the process id stays the same).
    /// Returns only if that fails, with a description of the failure; the process can then go
    /// on with the settings it already has.
    public static func relaunch(setting variables: [String: String]) -> String {
        for (name, value) in variables {
            setenv(name, value, 1)
        }
        // Anything still buffered would otherwise be lost when the process image is replaced.
        fflush(stdout)
        fflush(stderr)
        let executable = executablePath()
        execv(executable, CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        // The variables stay set: they reach any child process, and say what was intended.
        return "could not re-execute \(executable) (\(reason))"
    }

    /// The running binary: /proc/self/exe on Linux (independent of PATH and of the working
    /// directory), the first argument elsewhere.
    static func executablePath() -> String {
        #if os(Linux)
            return "/proc/self/exe"
        #else
            return Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
    }
}
