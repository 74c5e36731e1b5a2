import Foundation

/// Latent against pixel (`reports/compare/report.json`): compare's own tables, its two grids,
/// and a link to its full report.
enum ComparisonSection {
    static func make(_ input: RunReportInput) -> ReportSection? {
        let folder = input.folder(.compare)
        let url = folder.appendingPathComponent(CompareReport.jsonFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let report: CompareReport
        do {
            report = try CompareReport.read(from: url)
        } catch {
            return ReportSection(id: "compare", title: "Latent versus pixel", body: HTML.problem("\(error)"))
        }
        func rows(_ table: [CompareTables.Row]) -> [[String]] {
            table.map { [$0.label, $0.latent, $0.pixel, $0.difference] }
        }
        let header = ["", "latent", "pixel", CompareDocuments.differenceHeader]
        var body = "<p>\(HTML.escape(CompareTables.settings(report))).</p><div class=\"pair\">"
        for summary in [report.latent, report.pixel] {
            guard let grid = summary.grid,
                let source = EmbeddedImage.source(folder.appendingPathComponent(grid), pageFolder: input.runFolder)
            else { continue }
            body += HTML.figure(
                source, alt: "\(summary.space.rawValue) samples",
                caption: "\(summary.space.rawValue) (\(summary.sampleCount) samples)")
        }
        body += "</div>"
        body += HTML.table(
            header: header, rows: rows(CompareTables.metrics(report)), caption: "Metrics (lower is better)")
        body += HTML.table(header: header, rows: rows(CompareTables.cost(report)), caption: "Cost")
        body +=
            "<p><a href=\"\(EmbeddedImage.relativePath(folder.appendingPathComponent(CompareReport.htmlFile), from: input.runFolder))\">"
            + "compare's full report</a></p>"
        return ReportSection(id: "compare", title: "Latent versus pixel", body: body)
    }
}
