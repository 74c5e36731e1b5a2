import ArgumentParser
import DataParallel
import Foundation

/// The commands that know how to run as the ranks of an MPI job (docs/distributed.md). Any other
/// command started by `mpirun -np N` would run N times over the same folders, so it is refused.
enum DataParallelCommands {
    static let supported: [ParsableCommand.Type] = [
        RunCommand.self, TrainFlowCommand.self, TrainAECommand.self, DistillFlowCommand.self, BenchCommand.self,
    ]

    /// Throws when this process was started by an MPI launcher for a command not in `supported`.
    static func check(_ command: ParsableCommand, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws
    {
        guard case .mpi(let variable, _) = LaunchEnvironment.detect(environment) else { return }
        let type = type(of: command)
        guard !supported.contains(where: { $0 == type }) else { return }
        let names = supported.map { $0.configuration.commandName ?? "" }.joined(separator: ", ")
        throw CLIError(
            "'\(type.configuration.commandName ?? "this command")' does not run under an MPI launcher "
                + "(\(variable) is set); only \(names) do: start the other stages without mpirun")
    }
}
