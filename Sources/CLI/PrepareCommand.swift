import ArgumentParser
import Datasets
import Foundation
import Pipeline

extension PrepareStage.SourceKind: ExpressibleByArgument {}

/// `pipeline prepare`: decode, resize and crop a dataset into the HDF5 image cache.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Decode, resize and crop a dataset into an HDF5 image cache.",
        discussion: """
            Sources: 'oxford' (the official Oxford Flowers 102 layout: jpg/, imagelabels.mat, setid.mat), \
            'folder' (class sub-folders of JPEG/PNG images, or a flat folder) and 'synthetic' (procedural \
            flowers, no download). The cache (images.h5 + manifest.json) appears only when complete; \
            the source folder is only read.
            """)

    /// The stage's typed options are the one home of every default; the options below take theirs from it.
    static let defaults = PrepareStage.Options()

    @Option(help: "Dataset source: \(PrepareStage.SourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var source = Self.defaults.source

    @Option(help: ArgumentHelp("The dataset folder (for --source oxford or folder).", valueName: "dir"))
    var data: String?

    @Option(help: "Image side: \(DatasetCacheLayout.supportedSizes.map(String.init).joined(separator: ", ")).")
    var size = Self.defaults.size

    @Option(help: "Extra pixels kept around the centre crop for random crops (e.g. 16 stores 144 px for 128 px crops).")
    var margin = Self.defaults.margin

    @Option(
        help:
            "gzip level of the stored images, 0 (none) to 9. Photos shrink only ~10%, and compressing is most of the time taken."
    )
    var gzip = Self.defaults.gzip

    @Option(help: "Synthetic flowers: number of images.")
    var count = Self.defaults.count

    @Option(help: "Synthetic flowers: number of classes.")
    var classes = Self.defaults.classes

    @Option(help: "Seed of the synthetic images and of the random splits (folder, synthetic).")
    var seed = Self.defaults.seed

    @Option(help: "Fraction of each class for validation (folder, synthetic).")
    var validationFraction = Self.defaults.validationFraction

    @Option(help: "Fraction of each class for test (folder, synthetic).")
    var testFraction = Self.defaults.testFraction

    @Flag(help: "Oxford: skip images setid.mat lists but jpg/ lacks (a partial copy) instead of failing.")
    var allowMissing = false

    @Option(help: ArgumentHelp("Cache folder (default: artifacts/<run>/dataset).", valueName: "dir"))
    var output: String?

    @Option(name: .customLong("run"), help: "Run name, for the default output folder.")
    var runName = ArtifactFolders.defaultRun

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        guard DatasetCacheLayout.supportedSizes.contains(size) else {
            throw ValidationError(
                "--size must be one of \(DatasetCacheLayout.supportedSizes.map(String.init).joined(separator: ", ")), not \(size)"
            )
        }
        guard margin >= 0 && margin <= size else {
            throw ValidationError("--margin must be in 0...\(size), not \(margin)")
        }
        guard (0...9).contains(gzip) else { throw ValidationError("--gzip must be in 0...9, not \(gzip)") }
        guard count >= 1 else { throw ValidationError("--count must be positive, not \(count)") }
        guard classes >= 1 else { throw ValidationError("--classes must be positive, not \(classes)") }
        if source != .synthetic && (data ?? "").isEmpty {
            throw ValidationError("--source \(source.rawValue) needs --data DIR")
        }
    }

    func options() -> PrepareStage.Options {
        var options = PrepareStage.Options()
        options.source = source
        options.data = data
        options.size = size
        options.margin = margin
        options.gzip = gzip
        options.count = count
        options.classes = classes
        options.seed = seed
        options.validationFraction = validationFraction
        options.testFraction = testFraction
        options.allowMissing = allowMissing
        options.output = output
        options.run = runName
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        do {
            try PrepareStage.run(options(), shouldStop: { stop.stopRequested })
        } catch let error as DatasetError where error.kind == .interrupted {
            // Exits with status 130 (PipelineMain sees the stop request): nothing was kept.
            print(error.message)
        }
    }
}
