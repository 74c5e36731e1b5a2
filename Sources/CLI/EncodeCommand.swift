import ArgumentParser
import Foundation
import Pipeline

/// `pipeline encode`: the prepared images through the trained encoder and quantizer into the latent cache.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode the prepared images into the HDF5 latent cache.",
        discussion: """
            Writes <artifacts>/<run>/latents/latents.h5 (continuous and quantized latents, codes, labels, \
            split, per-channel statistics, the autoencoder's SHA-256) and manifest.json. The cache appears \
            only when complete; a complete cache from the same inputs and settings is kept unless --force.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = EncodeStage.Options()

    @OptionGroup var folders: RunFolderOptions
    @Option(help: ArgumentHelp("Dataset cache folder (default: <artifacts>/<run>/dataset).", valueName: "dir"))
    var dataset: String?
    @Option(
        help: ArgumentHelp(
            "Autoencoder model (default: <artifacts>/<run>/autoencoder/model.safetensors).", valueName: "file"))
    var autoencoder: String?
    @Option(help: ArgumentHelp("Output folder (default: <artifacts>/<run>/latents).", valueName: "dir"))
    var output: String?
    @Option(help: "Images per encoder batch.")
    var batchSize = Self.defaults.batchSize
    @Option(
        help:
            "Frozen augmentations per image: 1 = mirrored, more = random crops (70–100% of the area), mirrored at random."
    )
    var augmentations = Self.defaults.augmentations
    @Option(help: "Seed of the augmentation crops.")
    var seed = Self.defaults.seed
    @Flag(help: "Encode again even if an up-to-date cache exists.")
    var force = false

    @OptionGroup var runtime: ThreadsOption

    func options() -> EncodeStage.Options {
        var options = EncodeStage.Options()
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.dataset = dataset
        options.autoencoder = autoencoder
        options.output = output
        options.batchSize = batchSize
        options.augmentations = augmentations
        options.seed = seed
        options.force = force
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        do {
            try EncodeStage.run(options(), shouldStop: { stop.stopRequested })
        } catch let error as StageInterrupted {
            print("stopped: \(error.message)")
        }
    }
}
