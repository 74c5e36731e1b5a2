import FileFormats
import Foundation

/// The autoencoder (or its fine-tuned decoder): the held-out reconstruction grid, PSNR and SSIM
/// through each number of quantizer levels, code usage per level (`evaluation.json`), and PSNR
/// during training (`metrics.jsonl`).
enum AutoencoderSection {
    static func make(_ input: RunReportInput, stage: RunStage) -> ReportSection? {
        let folder = input.folder(stage)
        let evaluationURL = folder.appendingPathComponent(TrainAEStage.evaluationFile)
        let gridURL = folder.appendingPathComponent(TrainAEStage.gridFile)
        let metricsURL = folder.appendingPathComponent(TrainAEStage.metricsFile)
        let manager = FileManager.default
        guard [evaluationURL, gridURL, metricsURL].contains(where: { manager.fileExists(atPath: $0.path) }) else {
            return nil
        }
        let title = stage == .finetuneDecoder ? "Fine-tuned decoder" : "Autoencoder"
        var body = ""
        if let source = EmbeddedImage.source(gridURL, pageFolder: input.runFolder) {
            body += HTML.figure(
                source, alt: "\(title) reconstructions",
                caption: "Held-out images (top), reconstructed through all quantizer levels (middle) "
                    + "and from the continuous latents (bottom).")
        }
        if manager.fileExists(atPath: evaluationURL.path) {
            do {
                body += tables(try JSONFile.read(AutoencoderEvaluationReport.self, from: evaluationURL))
            } catch {
                body += HTML.problem("The evaluation could not be read: \(error)")
            }
        } else {
            body += "<p>Not evaluated yet (the evaluation follows training).</p>"
        }
        if manager.fileExists(atPath: metricsURL.path) {
            do {
                body +=
                    "<div class=\"charts\">" + HTML.chart(psnrChart(try TrainAEMetricsLog.read(metricsURL))) + "</div>"
            } catch {
                body += HTML.problem("The training log could not be read: \(error)")
            }
        }
        return ReportSection(id: stage.rawValue, title: title, body: body)
    }

    static func tables(_ report: AutoencoderEvaluationReport) -> String {
        var facts: [(String, String)] = [
            ("images", "\(report.images) (\(report.subset))"),
            ("weights", (report.emaWeights ? "EMA" : "trained") + (report.step.map { ", step \($0)" } ?? "")),
            (
                "bits per image",
                String(format: "%.0f (entropy bound %.0f)", report.bitsPerImage, report.entropyBitsPerImage)
            ),
        ]
        if let swd = report.slicedWasserstein {
            facts.append(("SWD ×10³ of the reconstructions", String(format: "%.2f", swd.mean)))
        }
        let quality =
            [("continuous latents", report.continuous)]
            + report.quantized.map { ("\($0.levels ?? 0) level\($0.levels == 1 ? "" : "s")", $0) }
        let qualityRows = quality.map { [$0.0, String(format: "%.2f", $0.1.psnr), String(format: "%.4f", $0.1.ssim)] }
        let usageRows = report.codeUsage.map {
            [
                "level \($0.level + 1)", "\($0.usedCodes) / \($0.codebookSize)", ReportFormat.percent($0.usedFraction),
                String(format: "%.1f", $0.perplexity), String(format: "%.2f", $0.entropyBits),
            ]
        }
        return HTML.facts(facts)
            + HTML.table(
                header: ["reconstructed through", "PSNR (dB)", "SSIM"], rows: qualityRows,
                caption: "Reconstruction quality")
            + HTML.table(
                header: ["quantizer", "codes used", "share", "perplexity", "entropy (bits)"], rows: usageRows,
                caption: "Code usage")
    }

    /// Batch PSNR and loss against training minutes.
    static func psnrChart(_ records: [TrainAEStepRecord]) -> SVGLineChart {
        let points = ChartThinning.thinned(
            records.filter { !$0.skipped }.map { ChartPoint(x: $0.elapsed / 60, y: $0.psnr) })
        var chart = SVGLineChart(
            title: "Training PSNR (batch)", xLabel: "training minutes", yLabel: "PSNR (dB)",
            series: [ChartSeries(name: "batch PSNR", points: points, color: "#2ca02c")])
        chart.emptyMessage = "no step logged yet"
        return chart
    }
}
