import ArgumentParser
import Pipeline

/// The `pipeline` command: a list of stages. `PipelineMain` runs it.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Latent flow matching for flower photographs: an RVQ autoencoder, a latent flow, a pixel baseline.",
        version: PipelineVersion.current,
        subcommands: [
            PrepareCommand.self, TrainAECommand.self, EncodeCommand.self, TrainFlowCommand.self,
            DistillFlowCommand.self,
            GenerateCommand.self, EvaluateCommand.self, SweepPassesCommand.self, CompareCommand.self, RunCommand.self,
            StatusCommand.self, ReportCommand.self, ServeCommand.self, BenchCommand.self, FetchDataCommand.self,
        ]
    )

    @OptionGroup var runtime: ThreadsOption
}
