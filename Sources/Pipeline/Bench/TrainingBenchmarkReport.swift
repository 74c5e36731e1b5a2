import Foundation

/// The closing lines of `pipeline bench --preset`.
public enum TrainingBenchmarkReport {
    public static func summary(_ r: TrainingBenchmarkResult, sgemmGFLOPS: Double) -> String {
        let matches = r.parameterCount == r.preset.referenceParameterCount
        return [
            "\(r.preset.rawValue): parameters \(r.parameterCount) (reference \(r.preset.referenceParameterCount)\(matches ? ", same" : ", DIFFERENT")), batch \(r.batch), \(r.stepSeconds.count) timed steps",
            String(
                format: "  median step %.3f s, %.2f images/s, %.1f GFLOP/s achieved (%.0f%% of sgemm %.1f)",
                r.medianStepSeconds, r.imagesPerSecond, r.achievedGFLOPs, 100 * r.achievedGFLOPs / sgemmGFLOPS,
                sgemmGFLOPS),
            "  peak memory \(ReportFormat.bytes(r.peakMemoryBytes))",
        ].joined(separator: "\n")
    }
}
