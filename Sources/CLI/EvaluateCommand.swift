import ArgumentParser
import Datasets
import FileFormats
import Foundation
import Pipeline

/// `pipeline evaluate`: generated images against held-out real images.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score generated images against held-out real ones (SWD, ISKD, pixel statistics).",
        discussion: """
            Metrics (none needs a downloaded network): the multi-scale sliced Wasserstein distance \
            of Karras et al. 2018 on Laplacian-pyramid patches, per level and mean, ×10³; the \
            image-statistics kernel distance ISKD (KID's unbiased cubic-kernel MMD², but on the \
            project's 202 image-statistics features, not Inception features: not a KID value); and \
            the pixel-distribution metrics (Jensen–Shannon divergence, 1-D Wasserstein distance, RBF \
            MMD, difference of standard deviations). Deterministic given --seed. Images are read from \
            a folder of PNG/JPEG files (real photos of any size are framed as the run's dataset cache \
            frames its images: shorter side to the generated size plus --real-margin, the centred \
            square, then its centre; the generated classes of a samples.json restrict a labelled \
            reference to them), a dataset cache from `pipeline prepare`, an HDF5 file \
            ('images' uint8 [N,H,W,3] or 'samples' float32 [N,3,H,W] in [-1,1]) or a safetensors \
            file. Writes metrics.json and manifest.json into the output folder.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = EvaluateStage.Options()

    @Option(
        help: ArgumentHelp(
            "Generated images: a folder or a file (default: artifacts/<run>/samples).", valueName: "dir|file"))
    var generated: String?

    @Option(
        help: ArgumentHelp(
            "Real images: a dataset cache, a folder or a file (default: artifacts/<run>/dataset).",
            valueName: "dir|file"))
    var real: String?

    // Subsets by name, commas or separate words (see SubsetListOption).
    @Option(
        help: ArgumentHelp(
            "Pixels a folder of real photos is framed with: shorter side to the generated size plus N, centre square, then its centre (default: the margin of the run's dataset cache, 0 without one).",
            valueName: "N"))
    var realMargin: Int?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Subsets of a real dataset cache to use: train, validation, test.", valueName: "subset"))
    var realSubset = Self.defaults.realSubsets.map(\.description).sorted()

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Subsets read when --generated is a dataset cache (a real-versus-real baseline).", valueName: "subset"))
    var generatedSubset = Self.defaults.generatedSubsets.map(\.description).sorted()

    @Option(help: "Seed of every random choice (patches, directions, subsets, pixel samples, --max-images).")
    var seed = Self.defaults.seed

    @Option(help: "At most this many images from each set, chosen at random with the seed.")
    var maxImages: Int?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Also score real images from the other subsets of the dataset cache against the same held-out ones, as many as were generated: the floor these metrics have at these set sizes."
    )
    var floor = Self.defaults.measureFloor

    @Option(help: ArgumentHelp("Output folder (default: artifacts/<run>/reports/evaluate).", valueName: "dir"))
    var output: String?

    @OptionGroup var folders: RunFolderOptions

    @Flag(
        help: "Print the metrics document (metrics.json) on standard output; progress and notes go to standard error.")
    var json = false

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        if let maxImages, maxImages < 2 { throw ValidationError("--max-images must be at least 2, not \(maxImages)") }
        if let realMargin, realMargin < 0 {
            throw ValidationError("--real-margin must not be negative, not \(realMargin)")
        }
        guard try !SubsetListOption.parse(realSubset, option: "--real-subset").isEmpty,
            try !SubsetListOption.parse(generatedSubset, option: "--generated-subset").isEmpty
        else {
            throw ValidationError("--real-subset and --generated-subset need at least one subset")
        }
    }

    func options() throws -> EvaluateStage.Options {
        var options = EvaluateStage.Options()
        options.generated = generated
        options.real = real
        options.realMargin = realMargin
        options.realSubsets = Set(try SubsetListOption.parse(realSubset, option: "--real-subset"))
        options.generatedSubsets = Set(try SubsetListOption.parse(generatedSubset, option: "--generated-subset"))
        options.seed = seed
        options.maxImages = maxImages
        options.measureFloor = floor
        options.output = output
        options.run = folders.runName
        options.artifacts = folders.artifacts
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        // With --json, standard output carries the document alone.
        let write: (String) -> Void = json ? { fputs($0, stderr) } : ProgressReporter.writeToStandardOutput
        do {
            let result = try EvaluateStage.run(try options(), write: write, shouldStop: { stop.stopRequested })
            if json { FileHandle.standardOutput.write(try JSONFile.encode(result.metrics)) }
        } catch let error as DatasetError where error.kind == .interrupted {
            // Exits with status 130 (PipelineMain sees the stop request).
            write("stopped: \(error.message)\n")
        }
    }
}
