import Foundation
import Pipeline

/// `/`: the runs of the artifacts folder, each with its report (when written) and its live view.
enum IndexPage {
    /// Run folders: those holding a ledger or a saved configuration, by name.
    static func runs(in artifacts: URL) -> [String] {
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: artifacts.path)) ?? []
        return names.filter { name in
            !name.hasPrefix(".")
                && [RunLedger.fileName, RunConfig.savedFileName].contains {
                    manager.fileExists(atPath: artifacts.appendingPathComponent(name).appendingPathComponent($0).path)
                }
        }.sorted()
    }

    static func html(artifacts: URL, highlighted: String?) -> String {
        let e = SVGLineChart.escape
        let runs = runs(in: artifacts)
        let items = runs.map { run -> String in
            let path = LivePage.pathSegment(run)
            let hasReport = FileManager.default.fileExists(
                atPath: artifacts.appendingPathComponent(run)
                    .appendingPathComponent(RunReport.fileName).path)
            let report = hasReport ? "<a href=\"/files/\(e(path))/\(RunReport.fileName)\">report</a>" : "no report yet"
            return "<li\(run == highlighted ? " class=\"current\"" : "")><code>\(e(run))</code> · \(report) · "
                + "<a href=\"/live/\(e(path))\">live view</a></li>"
        }
        let list = runs.isEmpty ? "<p>No runs in this folder yet.</p>" : "<ul class=\"runs\">\(items.joined())</ul>"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Runs — flow-matching-flowers</title>
            <style>
            \(ReportStyle.css)
            ul.runs { padding-left: 1.2em; } ul.runs li { margin: 0.4em 0; } li.current { font-weight: 600; }
            </style>
            </head>
            <body>
            <header><h1>Runs</h1><p class="meta">\(e(artifacts.path))</p></header>
            <main><section>\(list)</section></main>
            </body>
            </html>

            """
    }
}
