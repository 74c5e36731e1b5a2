import Foundation

/// What the process environment should look like for OpenBLAS, decided before any BLAS call.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` (which kernels to use) and its thread settings only while
/// the library loads, i.e. before `main` runs. So the `pipeline` binary decides the settings
/// first thing, and if the environment lacks any of them it sets them and re-executes itself
/// once (see `ProcessRelauncher`). This type is the pure decision, kept apart so it can be tested.
public struct BLASProcessSettings: Equatable, Sendable {
    /// Threads for OpenBLAS and for TensorCore's Swift-side loops.
    public var threads: Int
    /// Where `threads` came from: "--threads", "FMF_THREADS", "OPENBLAS_NUM_THREADS" or "processor count".
    public var threadSource: String
    /// Variables to add to the environment before re-executing; empty when the process can go on as is.
    public var variablesToSet: [String: String]
    /// Advice for the user, e.g. a kernel type this CPU cannot run.
    public var warnings: [String]

    /// True when the environment must change, which takes a re-execution to reach OpenBLAS.
    public var needsRelaunch: Bool { !variablesToSet.isEmpty }

    public init(threads: Int, threadSource: String, variablesToSet: [String: String], warnings: [String]) {
        self.threads = threads
        self.threadSource = threadSource
        self.variablesToSet = variablesToSet
        self.warnings = warnings
    }
}

/// Decides the OpenBLAS environment of the `pipeline` process.
public enum BLASProcessSetup {
    /// Set in the environment of the re-executed process, so it can never re-execute again.
    /// Its value lists the variables that `pipeline` set (comma-separated), for reports.
    public static let relaunchMarker = "FMF_BLAS_ENVIRONMENT_SET"
    /// The user's thread setting for the whole project.
    public static let threadsVariable = "FMF_THREADS"
    /// The option that sets the thread count; it is read from the raw arguments before parsing.
    public static let threadsOption = "--threads"
    /// The largest thread count accepted (OpenBLAS itself caps at its build's MAX_THREADS).
    public static let maximumThreads = 1024

    /// OpenBLAS's Haswell kernels (AVX2 + FMA). On an AMD Zen 4 that shows its AVX-512 units,
    /// OpenBLAS 0.3.21 picks its SkylakeX (AVX-512) kernels, which the Haswell ones beat by up to
    /// 1.5× on convolution-shaped products. (Where a hypervisor hides AVX-512, OpenBLAS picks
    /// "Zen" instead, which measures about the same as Haswell.)
    public static let preferredCoreType = "Haswell"
    /// The exponent n of the 2ⁿ CPU cycles an idle BLAS thread spins before it sleeps. OpenBLAS's
    /// default (2²⁸ cycles, about 0.1 s) keeps a core busy after every call, a core that the next
    /// Swift-side parallel loop needs; 4, the smallest value, lets idle threads sleep at once.
    public static let preferredThreadTimeout = "4"

    static let coreTypeVariable = "OPENBLAS_CORETYPE"
    static let threadTimeoutVariable = "OPENBLAS_THREAD_TIMEOUT"
    static let blasThreadsVariable = "OPENBLAS_NUM_THREADS"

    /// Kernel families that execute AVX-512 or AVX2 + FMA instructions (OpenBLAS names, lower-cased).
    static let avx512CoreTypes: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    static let avx2CoreTypes: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The settings for a process started with `environment` and `arguments` (without the
    /// program name) on `architecture` with `processorCount` processors. `cpuFlags` are the
    /// CPU's feature flags (nil if unknown): Haswell kernels are only chosen where AVX2 and FMA
    /// are reported, since forcing kernels the CPU lacks kills the process with SIGILL.
    ///
    /// Variables the user set are never overridden, except `OPENBLAS_NUM_THREADS`, which follows
    /// `--threads` / `FMF_THREADS` so that OpenBLAS starts with the thread pool it will use.
    /// Throws for a malformed `--threads` or `FMF_THREADS`.
    public static func decide(
        environment: [String: String],
        arguments: [String],
        architecture: CPUArchitecture,
        processorCount: Int,
        cpuFlags: Set<String>?
    ) throws -> BLASProcessSettings {
        let (threads, source) = try threadCount(
            environment: environment, arguments: arguments,
            processorCount: processorCount)
        var wanted: [String: String] = [:]
        if architecture == .x86_64, environment[coreTypeVariable] == nil,
            let flags = cpuFlags, flags.isSuperset(of: ["avx2", "fma"])
        {
            wanted[coreTypeVariable] = preferredCoreType
        }
        if environment[threadTimeoutVariable] == nil {
            wanted[threadTimeoutVariable] = preferredThreadTimeout
        }
        if environment[blasThreadsVariable] != String(threads) {
            wanted[blasThreadsVariable] = String(threads)
        }

        var warnings: [String] = []
        if let userCore = environment[coreTypeVariable], let flags = cpuFlags {
            let core = userCore.lowercased()
            if avx512CoreTypes.contains(core) && !flags.contains("avx512f") {
                warnings.append(
                    "\(coreTypeVariable)=\(userCore) selects AVX-512 kernels, but this CPU does not report AVX-512; OpenBLAS will likely stop with an illegal instruction."
                )
            } else if avx2CoreTypes.contains(core) && !flags.isSuperset(of: ["avx2", "fma"]) {
                warnings.append(
                    "\(coreTypeVariable)=\(userCore) selects AVX2 kernels, but this CPU does not report AVX2 and FMA; OpenBLAS will likely stop with an illegal instruction."
                )
            }
        }

        // Already re-executed once: whatever still differs stays as it is (never loop).
        if environment[relaunchMarker] != nil || wanted.isEmpty {
            return BLASProcessSettings(threads: threads, threadSource: source, variablesToSet: [:], warnings: warnings)
        }
        wanted[relaunchMarker] = wanted.keys.sorted().joined(separator: ",")
        return BLASProcessSettings(threads: threads, threadSource: source, variablesToSet: wanted, warnings: warnings)
    }

    /// The variables that an earlier run of `pipeline` set before re-executing this process.
    public static func variablesSetByPipeline(environment: [String: String]) -> [String] {
        guard let list = environment[relaunchMarker] else { return [] }
        return list.split(separator: ",").map(String.init)
    }

    /// The value of the last `--threads N` or `--threads=N` before a `--` terminator, or nil.
    public static func threadsArgument(in arguments: [String]) throws -> Int? {
        var value: Int?
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == threadsOption {
                let next = arguments.index(after: index)
                guard next < arguments.endIndex else {
                    throw BLASSetupError("\(threadsOption) needs a value, e.g. \(threadsOption) 2")
                }
                value = try parseThreads(arguments[next], from: threadsOption)
                index = arguments.index(after: next)
                continue
            }
            if argument.hasPrefix(threadsOption + "=") {
                value = try parseThreads(String(argument.dropFirst(threadsOption.count + 1)), from: threadsOption)
            }
            index = arguments.index(after: index)
        }
        return value
    }

    static func threadCount(
        environment: [String: String], arguments: [String],
        processorCount: Int
    ) throws -> (Int, String) {
        if let threads = try threadsArgument(in: arguments) {
            return (threads, threadsOption)
        }
        if let text = environment[threadsVariable] {
            return (try parseThreads(text, from: threadsVariable), threadsVariable)
        }
        // OpenBLAS ignores values it cannot read, and so does this: they fall back to the processor count.
        if let text = environment[blasThreadsVariable], let threads = Int(text.trimmingCharacters(in: .whitespaces)),
            (1...maximumThreads).contains(threads)
        {
            return (threads, blasThreadsVariable)
        }
        // Ranks of an MPI job on one host share its cores (docs/distributed.md).
        if let ranks = localRanks(environment), ranks > 1 {
            return (max(1, processorCount / ranks), "processor count / \(ranks) MPI ranks on this host")
        }
        return (max(1, processorCount), "processor count")
    }

    /// What MPI launchers say about the ranks started on this host: Open MPI's mpirun sets
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`, MPICH's Hydra `MPI_LOCALNRANKS`.
    static let localRanksVariables = ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"]

    static func localRanks(_ environment: [String: String]) -> Int? {
        localRanksVariables.lazy.compactMap { environment[$0].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            .first
    }

    static func parseThreads(_ text: String, from origin: String) throws -> Int {
        guard let threads = Int(text.trimmingCharacters(in: .whitespaces)), (1...maximumThreads).contains(threads)
        else {
            throw BLASSetupError("\(origin) must be a whole number from 1 to \(maximumThreads), not '\(text)'")
        }
        return threads
    }
}

/// A thread setting that cannot be used.
public struct BLASSetupError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
