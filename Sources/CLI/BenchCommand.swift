import ArgumentParser
import Foundation
import Pipeline
import TensorCore

/// `pipeline bench`: the machine's sgemm rate and, once the tensor engine provides them,
/// training-step benchmarks of the reference networks measured against that rate.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark training steps of the reference networks and the machine's sgemm rate.")

    /// The reference networks that a preset benchmark trains.
    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case aelite
        case latentUNet = "latent-unet"
        case pixelUNet = "pixel-unet"
    }

    @Option(help: "Reference network to time.")
    var preset: Preset?

    @Flag(help: "Measure the sgemm rate (cblas_sgemm) on square and convolution-shaped products.")
    var sgemm = false

    @Option(help: "Training steps to time for a preset.")
    var steps = 20

    @Option(help: "Batch size for a preset.")
    var batch = 16

    @Option(help: "Folder to write the results into as JSON.")
    var export: String?

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive, not \(steps)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, not \(batch)") }
    }

    func run() throws {
        guard preset != nil || sgemm else {
            throw CLIError("nothing to benchmark: give --sgemm or --preset NAME")
        }
        if let preset {
            throw CLIError("preset '\(preset.rawValue)' is not available yet: the reference networks come with the tensor engine. Use --sgemm for the sgemm rate.")
        }
        let machine = MachineSummary.current()
        print(machine.description)
        print("sgemm (cblas_sgemm, row-major; median of timed repeats):")
        print(SGEMMReport.header)
        let stop = StopSignal.shared
        let results = try SGEMMBenchmark.run(shouldStop: { stop.stopRequested }) { measurement in
            print(SGEMMReport.line(for: measurement))
        }
        if stop.stopRequested {
            print("stopped early: \(results.count) of \(SGEMMBenchmark.standardShapes.count) shapes measured")
        }
        print(SGEMMReport.summary(results))
        let peak = ProcessMemory.peakResidentBytes().map(ReportFormat.bytes) ?? "unknown"
        print("peak memory: \(peak)")
        if let export {
            let file = try SGEMMReport.export(machine: machine, sgemm: results, to: export)
            print("wrote \(file)")
        }
    }
}
