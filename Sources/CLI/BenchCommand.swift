import ArgumentParser
import DataParallel
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

    @Flag(
        help:
            "Time the preset's inference passes as `generate` makes them (batch 100 unless --batch) instead of training steps: the flow UNets only."
    )
    var sampling = false

    @Option(help: "Batch size for a preset (default: the reference's, 16 / 64 / 8).")
    var batch: Int?

    @Option(
        help:
            "Folder to write into: the sgemm results as JSON, or for a preset the network's initial parameters, a fixed input, its output and the parameter gradients of the MSE loss as safetensors, to check against PyTorch."
    )
    var export: String?

    @Flag(
        help:
            "Print one JSON document (machine, sgemm, the preset's timings) on standard output; the readable lines go to standard error."
    )
    var json = false

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
        say(machine.description)
        var document = BenchDocument(machine: machine)
        // Printed however the benchmark ends, a stop included: a script gets what was measured.
        // Under an MPI launcher rank 0 alone prints the document.
        let printsDocument = try DataParallelGroup.fromEnvironment()?.isWriter ?? true
        defer { if json && printsDocument { printDocument(document) } }
        if let preset {
            try runPreset(preset, into: &document)
            return
        }
        say("sgemm (cblas_sgemm, row-major; median of timed repeats):")
        say(SGEMMReport.header)
        let stop = StopSignal.shared
        let results = try SGEMMBenchmark.run(shouldStop: { stop.stopRequested }) { measurement in
            say(SGEMMReport.line(for: measurement))
        }
        document.sgemm = results.map(SGEMMReport.Entry.init)
        document.sgemmReferenceGFLOPS = SGEMMReport.referenceRate(results)?.medianGFLOPS
        if stop.stopRequested {
            document.stopped = true
            say("stopped early: \(results.count) of \(SGEMMBenchmark.standardShapes.count) shapes measured")
        }
        say(SGEMMReport.summary(results))
        let peak = ProcessMemory.peakResidentBytes().map(ReportFormat.bytes) ?? "unknown"
        say("peak memory: \(peak)")
        if let export {
            let file = try SGEMMReport.export(machine: machine, sgemm: results, to: export)
            document.exported.append(file)
            say("wrote \(file)")
        }
    }

    /// A readable line: standard output, or standard error when standard output carries the JSON.
    private func say(_ line: String) {
        if json {
            fputs(line + "\n", stderr)
        } else {
            print(line)
        }
    }

    private func printDocument(_ document: BenchDocument) {
        do {
            print(try document.text())
        } catch {
            fputs("error: the benchmark's JSON document could not be written: \(error)\n", stderr)
        }
    }

    /// Times training steps of a reference network and compares the achieved rate with the
    /// machine's sgemm rate measured in the same run.
    private func runPreset(_ preset: BenchmarkPreset, into document: inout BenchDocument) throws {
        if sampling {
            try runSampling(preset, into: &document)
            return
        }
        let batch = batch ?? preset.defaultBatch
        if let export {
            let file = try TrainingBenchmark.export(
                preset: preset, batch: min(batch, 2),
                to: URL(fileURLWithPath: export))
            document.exported.append(file.path)
            say("wrote \(file.path)")
            return
        }
        // Under an MPI launcher: the preset's flow training shared by the ranks (docs/distributed.md).
        if let ranks = try DataParallelGroup.fromEnvironment() {
            let result = try DataParallelBenchmark.run(
                preset: preset, batch: batch, steps: steps, group: ranks,
                shouldStop: { StopSignal.shared.stopRequested })
            document.dataParallel = result
            if ranks.isWriter { say(DataParallelBenchmark.summary(result)) }
            return
        }
        let reference = try measureReference(into: &document)
        let result = TrainingBenchmark.run(
            preset: preset, batch: batch, steps: steps,
            shouldStop: { StopSignal.shared.stopRequested },
            progress: printProgress("step"))
        document.training = BenchDocument.Training(result)
        document.stopped = StopSignal.shared.stopRequested
        guard !result.stepSeconds.isEmpty else {
            say("stopped before any step was timed")
            return
        }
        say(TrainingBenchmarkReport.summary(result, sgemmGFLOPS: reference))
    }

    /// Times inference passes of a flow UNet at the batch `generate` uses.
    private func runSampling(_ preset: BenchmarkPreset, into document: inout BenchDocument) throws {
        let reference = try measureReference(into: &document)
        let result = SamplingBenchmark.run(
            preset: preset, batch: batch ?? 100, passes: steps,
            shouldStop: { StopSignal.shared.stopRequested },
            progress: printProgress("pass"))
        document.sampling = BenchDocument.Sampling(result)
        document.stopped = StopSignal.shared.stopRequested
        guard !result.passSeconds.isEmpty else {
            say("stopped before any pass was timed")
            return
        }
        say(SamplingBenchmark.summary(result, sgemmGFLOPS: reference))
    }

    /// The machine's sgemm rate on the largest convolution shape, printed: what a preset's rate is compared with.
    private func measureReference(into document: inout BenchDocument) throws -> Double {
        let reference = try SGEMMBenchmark.measure(SGEMMBenchmark.standardShapes.last!)
        document.sgemm = [SGEMMReport.Entry(reference)]
        document.sgemmReferenceGFLOPS = reference.medianGFLOPS
        say(String(format: "sgemm reference (%@): %.1f GFLOP/s", reference.shape.label, reference.medianGFLOPS))
        return reference.medianGFLOPS
    }

    /// Prints each timed iteration ("step 3: 0.771 s"), the first two marked as warm-up.
    private func printProgress(_ unit: String) -> (Int, Double) -> Void {
        { index, seconds in
            say(String(format: "  %@ %d: %.3f s%@", unit, index + 1, seconds, index < 2 ? " (warm-up)" : ""))
        }
    }
}

extension BenchmarkPreset: ExpressibleByArgument {}
