import ArgumentParser

/// A stage that is listed in `--help` but not built yet: it says so and fails,
/// rather than pretending to have done something.
protocol PendingStage: ParsableCommand {}

extension PendingStage {
    func run() throws {
        let name = Self.configuration.commandName ?? "this stage"
        throw ValidationError("'pipeline \(name)' is not implemented yet in this version.")
    }
}

struct CompareCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "compare",
        abstract: "Latent versus pixel flow at equal compute: a report with grids, metrics and curves.")
}
