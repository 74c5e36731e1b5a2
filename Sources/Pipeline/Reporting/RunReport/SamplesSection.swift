import FileFormats
import Foundation

/// The generated samples: `samples/grid.png`, one class per column, with the columns' class
/// names and how the samples were made (`samples.json`).
enum SamplesSection {
    static func make(_ input: RunReportInput) -> ReportSection? {
        let folder = input.folder(.generate)
        let gridURL = folder.appendingPathComponent(GenerateStage.gridFile)
        let sidecarURL = folder.appendingPathComponent(GenerateStage.sidecarFile)
        let manager = FileManager.default
        guard manager.fileExists(atPath: gridURL.path) || manager.fileExists(atPath: sidecarURL.path) else {
            return nil
        }
        var body = ""
        var sidecar: GenerateStage.Sidecar?
        if manager.fileExists(atPath: sidecarURL.path) {
            do {
                sidecar = try JSONFile.read(GenerateStage.Sidecar.self, from: sidecarURL)
            } catch {
                body += HTML.problem("samples.json could not be read: \(error)")
            }
        }
        let columns = sidecar?.columns ?? []
        if let source = EmbeddedImage.source(gridURL, pageFolder: input.runFolder) {
            // Numbers above the grid's columns when they sit side by side (the grid wraps more
            // than `ImageGrid.maximumClassColumns` classes into bands); the legend names them.
            if !columns.isEmpty && columns.count <= ImageGrid.maximumClassColumns {
                body +=
                    "<div class=\"grid-with-columns\"><ol class=\"column-numbers\" style=\"grid-template-columns: repeat(\(columns.count), 1fr)\">"
                    + columns.indices.map { "<li>\($0 + 1)</li>" }.joined() + "</ol>"
                body +=
                    HTML.figure(source, alt: "generated samples, one class per column", caption: caption(sidecar))
                    + "</div>"
            } else {
                body += HTML.figure(source, alt: "generated samples", caption: caption(sidecar))
            }
        }
        if !columns.isEmpty {
            body += "<ol class=\"legend\">" + columns.map { "<li>\(HTML.escape($0.name))</li>" }.joined() + "</ol>"
        }
        if let sidecar { body += HTML.facts(facts(sidecar)) }
        return ReportSection(id: "samples", title: "Samples", body: body)
    }

    static func caption(_ sidecar: GenerateStage.Sidecar?) -> String {
        guard let sidecar else { return "Generated samples." }
        return "\(sidecar.count) samples, one class per column (numbered as in the list below)."
    }

    static func facts(_ sidecar: GenerateStage.Sidecar) -> [(String, String)] {
        var guidance = ReportFormat.number(Double(sidecar.guidance))
        if let interval = sidecar.guidanceInterval {
            guidance +=
                " for t in \(ReportFormat.number(Double(interval.lowerBound)))…\(ReportFormat.number(Double(interval.upperBound)))"
        }
        var facts: [(String, String)] = [
            ("space", sidecar.space.rawValue),
            ("sampler", "\(sidecar.sampler.method.rawValue), \(sidecar.sampler.steps) steps"),
            ("guidance", guidance),
            ("network passes per sample", "\(sidecar.networkPasses)"),
            ("seed", "\(sidecar.seed)"),
        ]
        if let step = sidecar.modelStep { facts.append(("model step", step)) }
        if let total = sidecar.timings["total"] { facts.append(("time", ReportFormat.duration(total))) }
        return facts
    }
}
