import ArgumentParser
import Foundation
import LatentFlow
import Pipeline

/// `pipeline sweep-passes`: quality against network passes for one model and sampler.
struct SweepPassesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-passes",
        abstract: "Generate and evaluate one model at several step counts, for the report's passes table.",
        discussion: """
            Each step count and seed is a point: its samples go to <run>/reports/passes/<name>-<steps>-s<seed>/samples \
            and their scores (evaluate's metrics.json, without the floor) beside them. The run report's "Quality \
            against network passes" reads every point there, with the network passes generate counted. Run it once \
            per model and sampler (the teacher with --sampler euler, with heun, the few-step model in powers of \
            two); a point measured already is kept unless --force.
            """)

    static let defaults = PassesSweep.Options()

    @OptionGroup var folders: RunFolderOptions
    @Option(
        help: ArgumentHelp(
            "Flow or few-step model (default: <artifacts>/<run>/flow/model.safetensors).", valueName: "file"))
    var model: String?
    @Option(
        help: ArgumentHelp(
            "Autoencoder model (default: <artifacts>/<run>/autoencoder/model.safetensors).", valueName: "file"))
    var autoencoder: String?
    @Option(help: "Names the points' folders (default: the model's folder and the sampler, e.g. flow-heun).")
    var name: String?
    /// Optional, so that Heun named can be told from Heun by default (a few-step model refuses a named solver).
    @Option(help: "ODE solver: euler, midpoint, heun or rk4 (default heun; a few-step model takes its own).")
    var sampler: ODEMethod?
    @Option(help: "Time-grid shift (1: uniform).")
    var shift = Self.defaults.sampler.shift
    @Option(help: ArgumentHelp("Step counts, comma-separated: one point each.", valueName: "n,n,…"))
    var steps = Self.defaults.steps.map(String.init).joined(separator: ",")
    @Option(help: ArgumentHelp("Noise seeds, comma-separated: one point each per step count.", valueName: "s,s,…"))
    var seeds = Self.defaults.seeds.map(String.init).joined(separator: ",")
    @OptionGroup var guidance: GuidanceOptions
    @Option(help: "Samples per point.")
    var count = Self.defaults.count
    @Option(parsing: .upToNextOption, help: "Classes of the samples, as generate takes them.")
    var classes = Self.defaults.classes
    @Option(
        help: ArgumentHelp(
            "Real images: a dataset cache, a folder or a file (default: artifacts/<run>/dataset).",
            valueName: "dir|file"))
    var real: String?
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Subsets of the dataset cache the samples are scored against.", valueName: "subset"))
    var realSubset = Self.defaults.realSubsets.map(\.description).sorted()
    @Flag(help: "Measure points again that have their metrics.json already.")
    var force = false

    @OptionGroup var runtime: ThreadsOption

    func options() throws -> PassesSweep.Options {
        var options = PassesSweep.Options()
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.model = model
        options.autoencoder = autoencoder
        options.name = name
        options.sampler.method = sampler ?? Self.defaults.sampler.method
        options.sampler.shift = shift
        options.steps = try IntegerListOption.parse([steps], option: "--steps")
        options.seeds = try IntegerListOption.parse([seeds], option: "--seeds")
        options.guidance = guidance.scale
        let named: Set<GenerateStage.SamplingOption> = guidance.named.union(sampler == nil ? [] : [.sampler])
        options.namedOptions = named.isEmpty ? nil : named
        options.guidanceInterval = try guidance.interval()
        options.count = count
        options.classes = classes
        options.real = real
        options.realSubsets = Set(try SubsetListOption.parse(realSubset, option: "--real-subset"))
        options.force = force
        return options
    }

    func run() throws {
        try PassesSweep.run(try options())
    }
}
