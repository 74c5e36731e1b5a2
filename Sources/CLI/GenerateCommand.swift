import ArgumentParser
import Foundation
import LatentFlow
import Pipeline

extension ODEMethod: ExpressibleByArgument {}
extension GenerateStage.LatentsFormat: ExpressibleByArgument {}

/// `pipeline generate`: samples from a trained flow, decoded to PNG.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Integrate the flow from noise and decode the samples to PNG.",
        discussion: """
            Writes grid.png (one class per column), images/*.png and samples.json (settings, NFE, timings) \
            into <artifacts>/<run>/samples (pixel-samples for --space pixel). With --snap the latents are \
            also snapped to the RVQ codebooks, and grid-unsnapped.png shows the samples before snapping.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = GenerateStage.Options()

    @Option(help: "Model space: latent or pixel (picks the default model folder).")
    var space = Self.defaults.space
    @OptionGroup var folders: RunFolderOptions
    @Option(help: ArgumentHelp("Flow model (default: <artifacts>/<run>/flow/model.safetensors).", valueName: "file"))
    var model: String?
    @Option(
        help: ArgumentHelp(
            "Autoencoder model (default: <artifacts>/<run>/autoencoder/model.safetensors).", valueName: "file"))
    var autoencoder: String?
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var output: String?

    @Option(help: "Number of samples.")
    var count = Self.defaults.count
    @Option(
        parsing: .upToNextOption,
        help:
            "Classes, one per grid column: ids, names (use _ for spaces), 'none', or 'all' (every class in turn, for class-balanced metrics); default: 10 spread over all."
    )
    var classes: [String] = []
    @Option(help: "Seed of the noise (sample i always gets the same noise).")
    var seed = Self.defaults.seed
    @OptionGroup var sampling: SamplerOptions
    @OptionGroup var guidance: GuidanceOptions
    @Flag(help: "Snap the final latents to the nearest RVQ codebook point.")
    var snap = false
    @Flag(help: "Write the latents instead of images.")
    var latentsOnly = false
    @Option(
        help: ArgumentHelp(
            "Decode the latents of this file (written by --latents-only, classes from its labels) "
                + "instead of sampling: another decoder on the same samples in seconds.", valueName: "file"))
    var fromLatents: String?
    @Option(help: "Format of --latents-only: safetensors or hdf5.")
    var latentsFormat = Self.defaults.latentsFormat
    @Option(help: "Largest network batch (default: all samples for latents, 16 for pixels).")
    var batchSize: Int?
    @Flag(help: "Write only the grid, not one PNG per sample.")
    var noImages = false
    @Option(help: "Most classes side by side in the grid; more wrap into bands of columns (default 20).")
    var gridColumns: Int?

    @Flag(help: "Print the seconds of each phase (loading, sampling, decoding, writing) at the end.")
    var timings = false

    @OptionGroup var runtime: ThreadsOption

    func options() throws -> GenerateStage.Options {
        var options = GenerateStage.Options()
        options.space = space
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.model = model
        options.autoencoder = autoencoder
        options.output = output
        options.count = count
        options.classes = classes
        options.seed = seed
        options.sampler = sampling.settings
        options.guidance = guidance.scale
        let named = sampling.named.union(guidance.named)
        options.namedOptions = named.isEmpty ? nil : named
        options.guidanceInterval = try guidance.interval()
        options.snap = snap
        options.latentsOnly = latentsOnly
        options.latentsFormat = latentsFormat
        options.fromLatents = fromLatents
        options.maximumBatch = batchSize
        options.individualImages = !noImages
        options.gridColumns = gridColumns
        return options
    }

    func run() throws {
        let result = try GenerateStage.run(try options())
        if timings { print(result.sidecar.phaseTimingsText, terminator: "") }
    }
}
