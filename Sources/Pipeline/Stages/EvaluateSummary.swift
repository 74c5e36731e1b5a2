import Foundation
import ImageMetrics

/// The table `pipeline evaluate` prints.
public enum EvaluateSummary {
    public static func table(_ metrics: EvaluateMetrics) -> [String] {
        let r = metrics.report
        let swd = r.slicedWasserstein
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, 9 - text.count)) + text }
        var lines = [
            "evaluation: \(r.generatedCount) generated vs \(r.referenceCount) real images at \(r.width)×\(r.height), seed \(r.options.seed)"
        ]
        lines.append("  SWD ×10³      " + swd.resolutions.map { cell("\($0) px") }.joined() + cell("mean"))
        lines.append("                " + (swd.perLevel + [swd.mean]).map { cell(String(format: "%.2f", $0)) }.joined())
        let floor = metrics.floor?.report
        if let floor {
            let levels = floor.slicedWasserstein
            lines.append(
                "  real vs real  " + (levels.perLevel + [levels.mean]).map { cell(String(format: "%.2f", $0)) }.joined()
                    + "   (the floor: \(floor.generatedCount) real images in place of the generated)")
        }
        let iskd = r.imageStatisticsKernelDistance
        lines.append(
            String(
                format:
                    "  ISKD ×10³     %.3f ± %.3f  (%@; image-statistics kernel distance: %@, %d features)",
                iskd.value * 1000, iskd.standardDeviation * 1000, iskd.spreadLabel, iskd.features,
                iskd.featureDimension))
        if let floor {
            let floorISKD = floor.imageStatisticsKernelDistance
            lines.append(
                String(
                    format: "  real vs real  %.3f ± %.3f  (%@)", floorISKD.value * 1000,
                    floorISKD.standardDeviation * 1000, floorISKD.spreadLabel))
        }
        let p = r.pixels
        lines.append(
            String(
                format: "  pixels        JS %.4f bits · W1 %.4f · MMD² %.5f (σ %.3f)",
                p.jensenShannon, p.wasserstein, p.mmd, p.mmdBandwidth))
        lines.append(
            String(
                format: "                std %.4f generated vs %.4f real (%+.4f)",
                p.generatedStandardDeviation, p.referenceStandardDeviation, p.standardDeviationDifference))
        let seconds = r.seconds
        lines.append(
            String(
                format: "  time          SWD %.1f s · ISKD %.1f s · pixels %.1f s",
                seconds["swd"] ?? 0, seconds["iskd"] ?? 0, seconds["pixels"] ?? 0))
        return lines
    }
}
