import FileFormats
import Foundation

/// `artifacts/<run>/report.html`: the whole run on one page for people — every stage's state,
/// settings, duration and figures, the autoencoder's reconstructions and scores, the flow's
/// curves, the samples with their class names, the evaluation against its floor, and compare's
/// and the ablations' tables when the run has them.
///
/// One self-contained file: pictures embedded (or, when large, linked relative to the run
/// folder), charts drawn inline as SVG by `SVGLineChart`, CSS inline, no script and nothing
/// fetched from the network. Written by `pipeline run` after each stage and by `pipeline report`.
public enum RunReport {
    public static let fileName = "report.html"

    /// The page's HTML.
    public static func html(_ input: RunReportInput) -> String {
        let sections = [
            StagesSection.make(input), SamplesSection.make(input), EvaluationSection.make(input),
            PassesSection.make(input),
            AutoencoderSection.make(input, stage: .trainAE), AutoencoderSection.make(input, stage: .finetuneDecoder),
            FlowSection.make(input), ComparisonSection.make(input), AblationSection.make(input),
        ].compactMap { $0 }
        let run = HTML.escape(input.run)
        let created = ISO8601DateFormatter().string(from: input.createdAt)
        let done = input.stages.filter { $0.state == .done }.count
        let enabled = input.stages.filter { $0.state != .notEnabled }.count
        let navigation = sections.map { "<li><a href=\"#\(HTML.escape($0.id))\">\(HTML.escape($0.title))</a></li>" }
            .joined()
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Run \(run) — flow-matching-flowers</title>
            <style>
            \(ReportStyle.css)
            </style>
            </head>
            <body>
            <header>
            <h1>Run <code>\(run)</code></h1>
            <p class="meta">\(done) of \(enabled) enabled stages done · report of \(HTML.escape(created)) · \
            \(HTML.escape(input.runFolder.path)) · settings from \(HTML.escape(input.settingsFrom))</p>
            <nav><ul>\(navigation)</ul></nav>
            </header>
            <main>
            \(sections.map(\.html).joined(separator: "\n"))
            </main>
            <footer>Written by pipeline \(HTML.escape(PipelineVersion.current)); <code>pipeline report</code> writes it again, \
            <code>pipeline serve</code> shows it with a live view of a running stage.</footer>
            </body>
            </html>

            """
    }

    /// Writes the page into the run folder, atomically (a browser reloading it mid-write sees
    /// the old page or the new one); returns its location.
    @discardableResult
    public static func write(_ input: RunReportInput) throws -> URL {
        let url = input.runFolder.appendingPathComponent(fileName)
        try AtomicFile.write(Data(html(input).utf8), to: url)
        return url
    }
}
