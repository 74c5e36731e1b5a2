import Foundation
import LatentFlow
import TensorCore

/// Network passes of a flow UNet as the sampler makes them: inference (no graph) with the
/// Winograd weights transformed once, on a batch of the size `pipeline generate` uses (100).
/// Issue 6's target is 100 images with Heun 20 (40 passes) in under 15 s, decoding included;
/// this isolates the passes from loading, decoding and PNG writing, with random weights
/// (the speed of a pass does not depend on the values).
public enum SamplingBenchmark {
    public struct Result: Sendable {
        public let preset: BenchmarkPreset
        public let batch: Int
        /// Seconds of each timed pass (after warm-up).
        public let passSeconds: [Double]
        public let peakMemoryBytes: Int

        public var medianPassSeconds: Double {
            passSeconds.isEmpty ? .nan : passSeconds.sorted()[passSeconds.count / 2]
        }
        /// Forward FLOPs are a third of a training step's (forward + backward ≈ 3 × forward).
        public var achievedGFLOPs: Double {
            Double(batch) * preset.trainingFLOPsPerImage / 3 / medianPassSeconds / 1e9
        }
    }

    public static func run(
        preset: BenchmarkPreset, batch: Int = 100, passes: Int = 10, warmup: Int = 2,
        seed: UInt64 = 0, shouldStop: () -> Bool = { false },
        progress: ((Int, Double) -> Void)? = nil
    ) -> Result {
        precondition(preset != .aelite, "the sampling benchmark times the flow UNets")
        var generator = SeededGenerator(seed: seed)
        let model = VelocityUNet(preset == .latentUNet ? .latent : .pixel, generator: &generator)
        let x = Initialization.normal(shape: [batch] + preset.inputShape, generator: &generator)
        let classes = (0..<batch).map { $0 % (model.config.classCount + 1) }
        var seconds: [Double] = []
        reusingTransformedWeights {
            for pass in 0..<(warmup + passes) where !shouldStop() {
                let times = Array(repeating: Float(pass) / Float(warmup + passes), count: batch)
                let start = DispatchTime.now().uptimeNanoseconds
                _ = model.velocity(x, times: times, classes: classes)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if pass >= warmup { seconds.append(elapsed) }
                progress?(pass, elapsed)
            }
        }
        return Result(
            preset: preset, batch: batch, passSeconds: seconds,
            peakMemoryBytes: ProcessMemory.peakResidentBytes() ?? 0)
    }

    /// The closing lines of `pipeline bench --sampling`.
    public static func summary(_ r: Result, sgemmGFLOPS: Double) -> String {
        let sorted = r.passSeconds.sorted()
        return [
            "\(r.preset.rawValue) sampling passes: batch \(r.batch), \(r.passSeconds.count) timed passes (inference, Winograd weights reused)",
            String(
                format: "  median pass %.3f s (min %.3f, max %.3f), %.1f GFLOP/s achieved (%.0f%% of sgemm %.1f)",
                r.medianPassSeconds, sorted.first ?? .nan, sorted.last ?? .nan, r.achievedGFLOPs,
                100 * r.achievedGFLOPs / sgemmGFLOPS, sgemmGFLOPS),
            String(format: "  40 passes (Heun 20 steps) at the median: %.1f s", 40 * r.medianPassSeconds),
            "  peak memory \(ReportFormat.bytes(r.peakMemoryBytes))",
        ].joined(separator: "\n")
    }
}
