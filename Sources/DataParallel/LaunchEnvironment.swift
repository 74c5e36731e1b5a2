/// How this process was started: alone, or as one rank of a job started by an MPI launcher.
///
/// Decided from the environment the launchers set, so that a plain `pipeline …` never loads an
/// MPI library and needs none installed: Open MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE`, Slurm's
/// `srun --mpi=pmix` sets `PMIX_RANK`, MPICH-style PMI launchers (Hydra, `srun --mpi=pmi2`) set
/// `PMI_SIZE`. Only Open MPI's library is supported (see `MPILibrary`), but a job started by any of
/// these launchers is recognised, so a wrong library gives a clear error instead of N
/// independent single-process runs writing over each other.
public enum LaunchEnvironment: Equatable, Sendable {
    case singleProcess
    /// Started by an MPI launcher (`variable` is the one that said so); `library` is the libmpi
    /// to load: `FMF_MPI_LIBRARY` if set, else the platform's name for Open MPI's.
    case mpi(variable: String, library: String)

    /// The variables that mark a process started by an MPI launcher, in the order checked.
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]
    /// Names the MPI library to load instead of the default (a path, or a name dlopen searches).
    public static let libraryVariable = "FMF_MPI_LIBRARY"

    #if os(macOS)
        public static let defaultLibrary = "libmpi.40.dylib"
    #else
        public static let defaultLibrary = "libmpi.so.40"
    #endif

    /// The variables that give a launched process its rank, in the order checked (Open MPI,
    /// PMIx, PMI).
    public static let rankVariables = ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"]

    /// This process's rank as its launcher set it, without starting MPI (nil: not launched, or
    /// no rank variable): for commands that run on one rank and leave MPI alone.
    public static func launchedRank(_ environment: [String: String]) -> Int? {
        guard case .mpi = detect(environment) else { return nil }
        return rankVariables.lazy.compactMap { environment[$0].flatMap { Int($0) } }.first
    }

    public static func detect(_ environment: [String: String]) -> LaunchEnvironment {
        guard let variable = launcherVariables.first(where: { environment[$0] != nil }) else { return .singleProcess }
        let library = environment[libraryVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultLibrary
        return .mpi(variable: variable, library: library)
    }
}
