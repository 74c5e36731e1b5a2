import Foundation

/// The flow trainer's ablations (`reports/ablations/report.json`, made by `pipeline compare
/// --ablations`), when the run has them: the ablation report's own table.
enum AblationSection {
    static let folder = "reports/\(AblationStage.folder)"

    static func make(_ input: RunReportInput) -> ReportSection? {
        let folder = input.runFolder.appendingPathComponent(folder)
        let url = folder.appendingPathComponent(AblationReport.jsonFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let report: AblationReport
        do {
            report = try AblationReport.read(from: url)
        } catch {
            return ReportSection(id: "ablations", title: "Ablations", body: HTML.problem("\(error)"))
        }
        let (header, rows) = AblationDocuments.table(report)
        let body =
            "<p>\(HTML.escape(AblationDocuments.settings(report))).</p><p>\(HTML.escape(AblationDocuments.explanation))</p>"
            + HTML.table(header: header, rows: rows, textColumns: 2)
            + "<p><a href=\"\(EmbeddedImage.relativePath(folder.appendingPathComponent(AblationReport.htmlFile), from: input.runFolder))\">"
            + "the ablation report</a></p>"
        return ReportSection(id: "ablations", title: "Ablations", body: body)
    }
}
