import Foundation
import ImageMetrics

/// `pipeline evaluate`'s metrics (`reports/evaluate/metrics.json`), each beside its floor: the
/// score of real images in place of the generated ones at the same counts, the best any model
/// could reach on this protocol.
enum EvaluationSection {
    static func make(_ input: RunReportInput) -> ReportSection? {
        let url = input.folder(.evaluate).appendingPathComponent(EvaluateStage.metricsFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let metrics: EvaluateMetrics
        do {
            metrics = try EvaluateMetrics.read(from: url)
        } catch {
            return ReportSection(
                id: "evaluation", title: "Evaluation", body: HTML.problem("metrics.json could not be read: \(error)"))
        }
        let r = metrics.report, floor = metrics.floor?.report
        func cell(_ value: Double?, _ format: String) -> String {
            value.map { $0.isFinite ? String(format: format, $0) : "–" } ?? "–"
        }
        var rows: [[String]] = []
        for (index, resolution) in r.slicedWasserstein.resolutions.enumerated() {
            let floorValue = floor.flatMap { f in
                f.slicedWasserstein.resolutions.firstIndex(of: resolution).map { f.slicedWasserstein.perLevel[$0] }
            }
            rows.append([
                "SWD ×10³ at \(resolution) px", cell(r.slicedWasserstein.perLevel[index], "%.2f"),
                cell(floorValue, "%.2f"),
            ])
        }
        rows.append([
            "SWD ×10³ mean", cell(r.slicedWasserstein.mean, "%.2f"), cell(floor?.slicedWasserstein.mean, "%.2f"),
        ])
        let iskd = r.imageStatisticsKernelDistance
        rows.append([
            "ISKD ×10³ (\(iskd.spreadLabel))",
            String(format: "%.3f ± %.3f", iskd.value * 1000, iskd.standardDeviation * 1000),
            floor.map {
                String(
                    format: "%.3f ± %.3f", $0.imageStatisticsKernelDistance.value * 1000,
                    $0.imageStatisticsKernelDistance.standardDeviation * 1000)
            } ?? "–",
        ])
        rows.append([
            "pixel JS divergence (bits)", cell(r.pixels.jensenShannon, "%.4f"),
            cell(floor?.pixels.jensenShannon, "%.4f"),
        ])
        rows.append(["pixel W1", cell(r.pixels.wasserstein, "%.4f"), cell(floor?.pixels.wasserstein, "%.4f")])
        rows.append(["pixel MMD²", cell(r.pixels.mmd, "%.5f"), cell(floor?.pixels.mmd, "%.5f")])
        rows.append([
            "std difference (generated − real)", cell(r.pixels.standardDeviationDifference, "%+.4f"),
            cell(floor?.pixels.standardDeviationDifference, "%+.4f"),
        ])
        var body = HTML.table(header: ["metric (lower is better)", "generated", "real images (floor)"], rows: rows)
        body += HTML.facts([
            ("generated images", "\(metrics.generated.count) from \(metrics.generated.path)"),
            ("real images", "\(metrics.real.count) from \(metrics.real.path)"),
            ("floor", metrics.floor.map { "\($0.images.count) real images from \($0.images.path)" } ?? "not measured"),
            ("size and seed", "\(r.width)×\(r.height) px, seed \(r.options.seed)"),
        ])
        return ReportSection(id: "evaluation", title: "Evaluation", body: body)
    }
}
