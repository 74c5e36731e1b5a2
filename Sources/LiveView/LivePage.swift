import Foundation
import Pipeline

/// The page that follows a run: the training stage at work with its progress, newest numbers
/// and newest grid, and where every stage stands. It reloads itself every few seconds with a
/// `<meta http-equiv="refresh">`: no script, so nothing can fail in the browser and it works
/// wherever HTML does.
enum LivePage {
    static let refreshSeconds = 5

    static func html(_ progress: LiveProgress, runExists: Bool, now: Date = Date()) -> String {
        let e = SVGLineChart.escape
        let run = e(progress.run)
        let runPath = e(Self.pathSegment(progress.run))
        var body = ""
        if !runExists {
            body +=
                "<section><p class=\"problem\">No run named \(run) in the artifacts folder yet; this page shows it once it starts.</p></section>"
        } else {
            body += followedSection(progress)
            body +=
                "<section id=\"stages\"><h2>Stages</h2><ul class=\"stage-list\">"
                + progress.stages.map { entry in
                    "<li><span class=\"name\">\(e(entry.stage.rawValue))</span> "
                        + "<span class=\"state state-\(entry.condition.cssClass)\">\(e(entry.condition.text))</span></li>"
                }.joined() + "</ul></section>"
        }
        let time = DateFormatter.localizedString(from: now, dateStyle: .none, timeStyle: .medium)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>Live: run \(run)</title>
            <style>
            \(ReportStyle.css)
            progress { width: 100%; height: 1.1rem; }
            ul.stage-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 4px 16px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 260px), 1fr)); }
            ul.stage-list li { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
            ul.stage-list .name { min-width: 10rem; }
            pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8rem; background: #f4f4f4; padding: 6px; border-radius: 6px; }
            </style>
            </head>
            <body>
            <header>
            <h1>Live: run <code>\(run)</code></h1>
            <p class="meta">updated \(e(time)), again every \(refreshSeconds) s · <a href="/files/\(runPath)/\(RunReport.fileName)">the run's report</a> · <a href="/">all runs</a></p>
            </header>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    static func followedSection(_ progress: LiveProgress) -> String {
        let e = SVGLineChart.escape
        guard let stage = progress.followed else {
            return
                "<section id=\"progress\"><h2>Training</h2><p>No training stage has logged anything yet.</p></section>"
        }
        let condition = progress.stages.first { $0.stage == stage }?.condition ?? .notStarted
        var out =
            "<section id=\"progress\"><h2>\(e(stage.rawValue)) "
            + "<span class=\"state state-\(condition.cssClass)\">\(e(condition.text))</span></h2>"
        if let done = progress.stepsDone {
            if let planned = progress.plannedSteps, planned > 0 {
                out +=
                    "<progress value=\"\(min(done, planned))\" max=\"\(planned)\"></progress>"
                    + "<p>step \(done) of \(planned) (\(ReportFormat.percent(Double(done) / Double(planned))))"
            } else {
                out += "<p>step \(done)"
            }
            if let minutes = progress.plannedMinutes, let seconds = progress.trainingSeconds {
                out += " · \(e(ReportFormat.duration(seconds))) of a \(e(ReportFormat.duration(minutes * 60))) budget"
            }
            out += "</p>"
        } else {
            out += "<p>No training step logged yet.</p>"
        }
        if !progress.figures.isEmpty {
            out +=
                "<dl class=\"facts\">" + progress.figures.map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined()
                + "</dl>"
        }
        if let modified = progress.metrics.modified {
            out +=
                "<p class=\"note\">last metrics line \(e(ReportFormat.duration(max(0, -modified.timeIntervalSinceNow)))) ago</p>"
        }
        if let grid = progress.grid {
            let source =
                "/files/" + grid.path.split(separator: "/").map { pathSegment(String($0)) }.joined(separator: "/")
            out +=
                "<figure><a href=\"\(e(source))\"><img src=\"\(e(source))\" alt=\"newest grid of \(e(stage.rawValue))\"></a>"
                + "<figcaption>newest grid, step \(grid.step)</figcaption></figure>"
        }
        if let line = progress.metrics.training,
            let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        {
            out +=
                "<details><summary>newest metrics line</summary><pre>\(e(String(decoding: data, as: UTF8.self)))</pre></details>"
        }
        return out + "</section>"
    }

    /// A path segment percent-encoded for a URL.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
