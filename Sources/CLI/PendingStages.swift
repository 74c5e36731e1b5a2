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

struct TrainAECommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "train-ae",
        abstract: "Train the RVQ autoencoder (128×128×3 → 16×16×4).")
}
struct EncodeCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "encode",
        abstract: "Encode the prepared images into the HDF5 latent cache.")
}
struct TrainFlowCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "train-flow",
        abstract: "Train a flow-matching model on latents (or on pixels with --space pixel).")
}
struct GenerateCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Integrate the flow from noise and decode the samples to PNG.")
}
struct CompareCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "compare",
        abstract: "Latent versus pixel flow at equal compute: a report with grids, metrics and curves.")
}
struct RunCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "run",
        abstract: "Run every stage in order, skipping those whose cached artifacts are still valid.")
}
struct StatusCommand: PendingStage {
    static let configuration = CommandConfiguration(commandName: "status",
        abstract: "Show each stage of a run as done, stale (and why) or missing.")
}
