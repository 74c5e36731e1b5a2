import Foundation

/// `report.md` and `report.html` from a `CompareReport`. The HTML is self-contained apart from
/// relative links to the grids and the SVG charts beside it, which it also inlines.
public enum CompareDocuments {
    static let differenceHeader = "latent − pixel (×: latent / pixel)"

    public static func markdown(_ report: CompareReport) -> String {
        var lines = [
            "# Latent versus pixel flow matching — run `\(report.run)`", "",
            CompareTables.settings(report) + ". Created \(report.createdAt).", "",
            "| latent (\(report.latent.sampleCount) samples) | pixel (\(report.pixel.sampleCount) samples) |",
            "|---|---|",
            "| ![latent samples](\(report.latent.grid ?? "")) | ![pixel samples](\(report.pixel.grid ?? "")) |", "",
            "## Metrics (lower is better)", "",
        ]
        lines += table(CompareTables.metrics(report))
        lines += ["", "## Cost", ""]
        lines += table(CompareTables.cost(report))
        lines += [
            "", "## Curves", "", "![training loss](\(CompareReport.lossChartFile))", "",
            "![SWD](\(CompareReport.swdChartFile))", "", CompareCharts.swdNote(report), "",
        ]
        lines += ["## What was done", ""]
        for summary in [report.latent, report.pixel] {
            lines.append(
                "- \(summary.space.rawValue): "
                    + summary.actions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func html(_ report: CompareReport, lossChart: SVGLineChart, swdChart: SVGLineChart) -> String {
        let e = SVGLineChart.escape
        func htmlTable(_ rows: [CompareTables.Row]) -> String {
            var out = "<table>\n<tr><th></th><th>latent</th><th>pixel</th><th>\(e(differenceHeader))</th></tr>\n"
            for row in rows {
                out +=
                    "<tr><td>\(e(row.label))</td><td>\(e(row.latent))</td><td>\(e(row.pixel))</td><td>\(e(row.difference))</td></tr>\n"
            }
            return out + "</table>\n"
        }
        func inline(_ chart: SVGLineChart) -> String {
            // Inline SVG inside HTML takes no XML declaration.
            chart.svg().split(separator: "\n").filter { !$0.hasPrefix("<?xml") }.joined(separator: "\n")
        }
        func figure(_ summary: CompareReport.SpaceSummary) -> String {
            guard let grid = summary.grid else {
                return "<figure><figcaption>\(summary.space.rawValue): no grid</figcaption></figure>"
            }
            return
                "<figure><a href=\"\(e(grid))\"><img src=\"\(e(grid))\" alt=\"\(summary.space.rawValue) samples\"></a>"
                + "<figcaption>\(summary.space.rawValue) (\(summary.sampleCount) samples)</figcaption></figure>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Latent versus pixel — \(e(report.run))</title>
            <style>
            body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
            .grids { display: flex; gap: 2em; flex-wrap: wrap; }
            figure { margin: 0; } figure img { max-width: 520px; image-rendering: pixelated; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            td:first-child { text-align: left; }
            .charts svg { max-width: 100%; height: auto; }
            </style>
            </head>
            <body>
            <h1>Latent versus pixel flow matching — run <code>\(e(report.run))</code></h1>
            <p>\(e(CompareTables.settings(report))). Created \(e(report.createdAt)).</p>
            <div class="grids">\(figure(report.latent))\(figure(report.pixel))</div>
            <h2>Metrics (lower is better)</h2>
            \(htmlTable(CompareTables.metrics(report)))<h2>Cost</h2>
            \(htmlTable(CompareTables.cost(report)))<h2>Curves</h2>
            <div class="charts">
            \(inline(lossChart))
            \(inline(swdChart))
            </div>
            <p>\(e(CompareCharts.swdNote(report))) Charts as files: <a href="\(CompareReport.lossChartFile)">\(CompareReport.lossChartFile)</a>,
            <a href="\(CompareReport.swdChartFile)">\(CompareReport.swdChartFile)</a>; numbers: <a href="\(CompareReport.jsonFile)">\(CompareReport.jsonFile)</a>.</p>
            </body>
            </html>

            """
    }

    private static func table(_ rows: [CompareTables.Row]) -> [String] {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        return ["| | latent | pixel | \(differenceHeader) |", "|---|---:|---:|---:|"]
            + rows.map { "| \(cell($0.label)) | \(cell($0.latent)) | \(cell($0.pixel)) | \(cell($0.difference)) |" }
    }
}
