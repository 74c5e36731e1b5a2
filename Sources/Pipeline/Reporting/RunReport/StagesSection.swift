import Foundation

/// One card per stage: its state as `pipeline status` judges it (and why, when stale), how long
/// it took, its headline figures, and the settings it completed with (from the ledger's record).
enum StagesSection {
    static func make(_ input: RunReportInput) -> ReportSection {
        let cards = input.stages.filter { $0.state != .notEnabled }.map { card($0, input: input) }.joined(
            separator: "\n")
        // The optional stages this run leaves out, in one line rather than empty cards.
        let off = input.stages.filter { $0.state == .notEnabled }.map(\.stage.rawValue)
        let note = off.isEmpty ? "" : "<p class=\"note\">Not enabled: \(HTML.escape(off.joined(separator: ", "))).</p>"
        return ReportSection(id: "stages", title: "Stages", body: "<div class=\"cards\">\n\(cards)\n</div>\(note)")
    }

    static func card(_ entry: RunReportInput.Stage, input: RunReportInput) -> String {
        let stage = entry.stage
        let name = HTML.escape(stage.rawValue)
        let badge = "<span class=\"state state-\(entry.state.name)\">\(HTML.escape(stateWord(entry.state)))</span>"
        var body = ""
        if case .stale(let why) = entry.state { body += "<p class=\"why\">\(HTML.escape(why))</p>" }
        let folder = input.folder(stage)
        var facts: [(String, String)] = []
        if let seconds = StageDuration.seconds(stageFolder: folder) {
            facts.append(("duration", ReportFormat.duration(seconds)))
        }
        if let completed = entry.record?.completedAt { facts.append(("completed", completed)) }
        facts += StageFigures.of(stage, folder: folder)
        body += HTML.facts(facts)
        if let settings = entry.record?.settings.values, !settings.isEmpty {
            let rows = settings.keys.sorted().map { [$0, settings[$0]!] }
            body +=
                "<details><summary>settings (\(settings.count))</summary>"
                + HTML.table(header: ["setting", "value"], rows: rows, textColumns: 2) + "</details>"
        } else if entry.state != .missing {
            body +=
                "<p class=\"note\">No record of its settings: it was not completed by <code>pipeline run</code>.</p>"
        }
        return "<article class=\"card\" id=\"stage-\(name)\"><h3>\(name) \(badge)</h3>\(body)</article>"
    }

    /// The state in a word or two for the badge (the reason goes below it).
    static func stateWord(_ state: RunStageState) -> String {
        switch state {
        case .stale: return "stale"
        default: return state.description
        }
    }
}
