import Foundation

/// `report.md` and `report.html` of the ablations: one table, one row per variant, drawn from
/// the same cells so both show the same numbers.
public enum AblationDocuments {
    /// The table's header and rows as text cells.
    public static func table(_ report: AblationReport) -> (header: [String], rows: [[String]]) {
        var header = ["variant", "change", "SWD ×10³ mean", "Δ SWD ×10³ mean"]
        for resolution in report.swdResolutions { header += ["SWD ×10³ at \(resolution) px", "Δ at \(resolution) px"] }
        header += ["ISKD ×10³", "Δ ISKD ×10³", "training steps", "train seconds", "final loss"]
        let rows = report.rows.map { row -> [String] in
            // The evaluation's SWD is already ×10³ (as compare shows it); the ISKD is scaled here.
            func difference(_ value: SeedSpread?) -> String { value?.text("%.2f", signed: true) ?? "" }
            var cells = [row.variant.rawValue, row.change, row.swdMean.text("%.2f"), difference(row.swdMeanDifference)]
            for index in report.swdResolutions.indices {
                cells.append(index < row.swdPerLevel.count ? row.swdPerLevel[index].text("%.2f") : "–")
                cells.append(row.swdPerLevelDifference.map { index < $0.count ? difference($0[index]) : "–" } ?? "")
            }
            cells += [
                row.iskd.text("%.3f", scale: 1000), row.iskdDifference?.text("%.3f", scale: 1000, signed: true) ?? "",
                row.trainingSteps.text("%.0f"), row.trainingSeconds.text("%.2f"), row.finalLoss.text("%.4f"),
            ]
            return cells
        }
        return (header, rows)
    }

    /// The settings line under the title.
    public static func settings(_ report: AblationReport) -> String {
        var budget: [String] = []
        if let minutes = report.minutesBudget { budget.append("\(ReportFormat.number(minutes)) min") }
        if let steps = report.stepsBudget { budget.append("\(steps) steps") }
        return "\(report.space.rawValue) space, \(report.seedCount) seed\(report.seedCount == 1 ? "" : "s") per variant"
            + (budget.isEmpty ? "" : ", training budget " + budget.joined(separator: " / ") + " per model")
            + "; \(report.count) samples per model, sampler \(report.sampler), guidance \(report.guidance), sample seed \(report.sampleSeed)"
    }

    static let explanation =
        "Each cell is the mean ± sample standard deviation over the training seeds (n/a with one seed). "
        + "Δ is the variant minus the baseline, computed seed by seed (same training and data seed) and then averaged, "
        + "± its spread over seeds. Lower SWD and ISKD (image-statistics kernel distance) are better; a negative Δ means the flipped option helped."

    public static func markdown(_ report: AblationReport) -> String {
        let (header, rows) = table(report)
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var lines = [
            "# Flow trainer ablations — run `\(report.run)`", "", settings(report) + ". Created \(report.createdAt).",
            "",
            explanation, "", line(header),
            "|" + String(repeating: "---|", count: 2) + String(repeating: "---:|", count: header.count - 2),
        ]
        lines += rows.map(line)
        lines += ["", "## What was done", ""]
        for row in report.rows {
            for result in row.seeds {
                lines.append(
                    "- \(row.variant.rawValue), seed \(result.seed): "
                        + result.actions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                            separator: ", "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func html(_ report: AblationReport) -> String {
        let e = SVGLineChart.escape
        let (header, rows) = table(report)
        var table = "<table>\n<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
        for row in rows { table += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
        table += "</table>\n"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Flow trainer ablations — \(e(report.run))</title>
            <style>
            body { font-family: sans-serif; max-width: 1400px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            td:nth-child(-n+2) { text-align: left; }
            </style>
            </head>
            <body>
            <h1>Flow trainer ablations — run <code>\(e(report.run))</code></h1>
            <p>\(e(settings(report))). Created \(e(report.createdAt)).</p>
            <p>\(e(explanation))</p>
            \(table)<p>Numbers: <a href="\(AblationReport.jsonFile)">\(AblationReport.jsonFile)</a>.</p>
            </body>
            </html>

            """
    }
}
