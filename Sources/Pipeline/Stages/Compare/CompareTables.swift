import Foundation

/// The report's tables as rows of text cells (label, latent, pixel, difference), shared by the
/// Markdown and HTML writers so both show the same numbers.
public enum CompareTables {
    public struct Row: Equatable, Sendable {
        public var label: String
        public var latent: String
        public var pixel: String
        /// Latent minus pixel (empty where a difference means nothing).
        public var difference: String
    }

    /// Image-quality metrics: lower is better for all of them.
    public static func metrics(_ report: CompareReport) -> [Row] {
        let l = report.latent, p = report.pixel
        var rows: [Row] = []
        // Levels are matched by resolution, so models of different sizes still line up.
        for (index, resolution) in l.swdResolutions.enumerated() {
            let other = p.swdResolutions.firstIndex(of: resolution).map { p.swdPerLevel[$0] }
            rows.append(row("SWD ×10³ at \(resolution) px", l.swdPerLevel[index], other, "%.2f"))
        }
        rows.append(row("SWD ×10³ mean", l.swdMean, p.swdMean, "%.2f"))
        if l.swdFloorMean != nil || p.swdFloorMean != nil {
            func floor(_ summary: CompareReport.SpaceSummary) -> String {
                guard let levels = summary.swdFloorPerLevel, let mean = summary.swdFloorMean else { return "–" }
                return levels.map { String(format: "%.1f", $0) }.joined(separator: " / ")
                    + String(format: " · mean %.2f", mean)
            }
            rows.append(
                Row(
                    label: "SWD ×10³ of real images at the same counts (the floor; per level · mean)",
                    latent: floor(l), pixel: floor(p), difference: ""))
        }
        rows.append(
            Row(
                label: "ISKD ×10³ (\(iskdSpread(l, p)))",
                latent: String(format: "%.3f ± %.3f", l.iskd * 1000, l.iskdStandardDeviation * 1000),
                pixel: String(format: "%.3f ± %.3f", p.iskd * 1000, p.iskdStandardDeviation * 1000),
                difference: String(format: "%+.3f", (l.iskd - p.iskd) * 1000)))
        rows.append(row("pixel JS divergence (bits)", l.pixelJensenShannon, p.pixelJensenShannon, "%.4f"))
        rows.append(row("pixel W1", l.pixelWasserstein, p.pixelWasserstein, "%.4f"))
        rows.append(row("pixel MMD²", l.pixelMMD, p.pixelMMD, "%.5f"))
        rows.append(
            row(
                "std difference (generated − real)", l.standardDeviationDifference, p.standardDeviationDifference,
                "%+.4f"))
        rows.append(
            Row(
                label: "images evaluated (generated / real)", latent: "\(l.evaluatedImages) / \(l.realImages)",
                pixel: "\(p.evaluatedImages) / \(p.realImages)", difference: ""))
        return rows
    }

    /// What the ISKD's "±" is: "± SD over 100 subsets of 500" when both spaces used the same
    /// subsets (reports of older versions do not say).
    static func iskdSpread(_ l: CompareReport.SpaceSummary, _ p: CompareReport.SpaceSummary) -> String {
        guard let subsets = l.iskdSubsets, let size = l.iskdSubsetSize, p.iskdSubsets == subsets,
            p.iskdSubsetSize == size
        else { return "± SD over its random subsets" }
        return "± SD over \(subsets) subsets of \(size)"
    }

    /// Cost: training and sampling.
    public static func cost(_ report: CompareReport) -> [Row] {
        let l = report.latent, p = report.pixel
        return [
            Row(
                label: "parameters", latent: ReportFormat.scaled(Double(l.parameters)),
                pixel: ReportFormat.scaled(Double(p.parameters)),
                difference: ratio(Double(l.parameters), Double(p.parameters))),
            Row(label: "batch size", latent: "\(l.batchSize)", pixel: "\(p.batchSize)", difference: ""),
            Row(
                label: "training steps", latent: "\(l.trainingSteps)", pixel: "\(p.trainingSteps)",
                difference: ratio(Double(l.trainingSteps), Double(p.trainingSteps))),
            row("training minutes", l.trainingMinutes, p.trainingMinutes, "%.2f"),
            Row(
                label: "seconds per training step", latent: String(format: "%.4f", l.secondsPerStep),
                pixel: String(format: "%.4f", p.secondsPerStep), difference: ratio(l.secondsPerStep, p.secondsPerStep)),
            Row(
                label: "training images/s", latent: String(format: "%.1f", l.trainingImagesPerSecond),
                pixel: String(format: "%.1f", p.trainingImagesPerSecond),
                difference: ratio(l.trainingImagesPerSecond, p.trainingImagesPerSecond)),
            row("final training loss", l.finalLoss ?? .nan, p.finalLoss ?? .nan, "%.4f"),
            Row(label: "NFE per sample", latent: "\(l.nfe)", pixel: "\(p.nfe)", difference: ""),
            row("sampling seconds (ODE)", l.samplingSeconds, p.samplingSeconds, "%.2f"),
            row("decoding seconds", l.decodeSeconds, p.decodeSeconds, "%.2f"),
            Row(
                label: "seconds per image (sampling + decoding)", latent: String(format: "%.4f", l.secondsPerImage),
                pixel: String(format: "%.4f", p.secondsPerImage),
                difference: ratio(l.secondsPerImage, p.secondsPerImage)),
            Row(
                label: "sampling images/s", latent: String(format: "%.1f", l.samplingImagesPerSecond),
                pixel: String(format: "%.1f", p.samplingImagesPerSecond),
                difference: ratio(l.samplingImagesPerSecond, p.samplingImagesPerSecond)),
        ]
    }

    /// The settings both models were sampled and evaluated with.
    public static func settings(_ report: CompareReport) -> String {
        "\(report.count) samples per model" + (report.latent.sampleClassCount.map { " (\($0) classes in turn)" } ?? "")
            + ", sampler \(report.sampler), guidance \(report.guidance)"
            + (report.guidanceInterval.map {
                " for t in \(ReportFormat.number(Double($0.lowerBound)))…\(ReportFormat.number(Double($0.upperBound)))"
            } ?? "")
            + ", seed \(report.seed)"
            + (report.minutesBudget.map { ", training budget \(ReportFormat.number($0)) min per model" } ?? "")
    }

    private static func row(_ label: String, _ latent: Double, _ pixel: Double?, _ format: String) -> Row {
        func text(_ value: Double?) -> String { value.map { $0.isFinite ? String(format: format, $0) : "–" } ?? "–" }
        let difference = pixel.map { latent - $0 }
        let differenceFormat = format.hasPrefix("%+") ? format : "%+" + format.dropFirst()
        return Row(
            label: label, latent: text(latent), pixel: text(pixel),
            difference: difference.map { $0.isFinite ? String(format: differenceFormat, $0) : "–" } ?? "–")
    }

    /// "×2.50": latent over pixel, for quantities where a ratio reads better than a difference.
    private static func ratio(_ latent: Double, _ pixel: Double) -> String {
        guard latent.isFinite, pixel.isFinite, pixel != 0 else { return "–" }
        return String(format: "×%.2f", latent / pixel)
    }
}
