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

    @Option(help: "Reference network to time: aelite, latent-unet or pixel-unet.")
    var preset: BenchmarkPreset?

    @Flag(help: "Measure the sgemm rate (cblas_sgemm) on square and convolution-shaped products.")
    var sgemm = false

    @Option(help: "Training steps (or, with --sampling, network passes) to time for a preset, after two warm-up ones.")
    var steps = 5

    @Flag(help: "Time the preset's inference passes as `generate` makes them (batch 100 unless --batch) instead of training steps: the flow UNets only.")
    var sampling = false

    @Option(help: "Batch size for a preset (default: the reference's, 16 / 64 / 8).")
    var batch: Int?

    @Option(help: "Folder to write into: the sgemm results as JSON, or for a preset the network's initial parameters, a fixed input, its output and the parameter gradients of the MSE loss as safetensors, to check against PyTorch.")
    var export: String?

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive, not \(steps)") }
        if let batch, batch <= 0 { throw ValidationError("--batch must be positive, not \(batch)") }
        if sampling {
            guard let preset, preset != .aelite else {
                throw ValidationError("--sampling times a flow UNet: give --preset latent-unet or pixel-unet")
            }
            guard export == nil else { throw ValidationError("--sampling cannot be combined with --export") }
        }
    }

    func run() throws {
        guard preset != nil || sgemm else {
            throw CLIError("nothing to benchmark: give --sgemm or --preset NAME")
        }
        let machine = MachineSummary.current()
        print(machine.description)
        if let preset {
            try runPreset(preset)
            return
        }
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

    /// Times training steps of a reference network and compares the achieved rate with the
    /// machine's sgemm rate measured in the same run.
    private func runPreset(_ preset: BenchmarkPreset) throws {
        if sampling {
            try runSampling(preset)
            return
        }
        let batch = batch ?? preset.defaultBatch
        if let export {
            let file = try TrainingBenchmark.export(preset: preset, batch: min(batch, 2),
                                                    to: URL(fileURLWithPath: export))
            print("wrote \(file.path)")
            return
        }
        let reference = try measureReference()
        let result = TrainingBenchmark.run(preset: preset, batch: batch, steps: steps,
                                           shouldStop: { StopSignal.shared.stopRequested },
                                           progress: printProgress("step"))
        guard !result.stepSeconds.isEmpty else {
            print("stopped before any step was timed")
            return
        }
        print(TrainingBenchmarkReport.summary(result, sgemmGFLOPS: reference))
    }

    /// Times inference passes of a flow UNet at the batch `generate` uses.
    private func runSampling(_ preset: BenchmarkPreset) throws {
        let reference = try measureReference()
        let result = SamplingBenchmark.run(preset: preset, batch: batch ?? 100, passes: steps,
                                           shouldStop: { StopSignal.shared.stopRequested },
                                           progress: printProgress("pass"))
        guard !result.passSeconds.isEmpty else {
            print("stopped before any pass was timed")
            return
        }
        print(SamplingBenchmark.summary(result, sgemmGFLOPS: reference))
    }

    /// The machine's sgemm rate on the largest convolution shape, printed: what a preset's rate is compared with.
    private func measureReference() throws -> Double {
        let reference = try SGEMMBenchmark.measure(SGEMMBenchmark.standardShapes.last!)
        print(String(format: "sgemm reference (%@): %.1f GFLOP/s", reference.shape.label, reference.medianGFLOPS))
        return reference.medianGFLOPS
    }

    /// Prints each timed iteration ("step 3: 0.771 s"), the first two marked as warm-up.
    private func printProgress(_ unit: String) -> (Int, Double) -> Void {
        { index, seconds in
            print(String(format: "  %@ %d: %.3f s%@", unit, index + 1, seconds, index < 2 ? " (warm-up)" : ""))
        }
    }
}

extension BenchmarkPreset: ExpressibleByArgument {}
