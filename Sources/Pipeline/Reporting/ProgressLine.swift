/// The text of progress lines: one redrawn line with a bar for terminals, plain log lines
/// otherwise, and the closing summary. Pure, so every form is tested.
public enum ProgressLine {
    /// For a terminal: `train-ae  42% [████▏     ] 420/1000  12.3 it/s  elapsed 34s  eta 47s  loss 0.0123`,
    /// cut to `width` characters so that it never wraps (a wrapped line cannot be redrawn).
    public static func terminal(_ snapshot: ProgressSnapshot, width: Int, barWidth: Int = 20) -> String {
        var parts: [String] = [snapshot.label]
        if let fraction = snapshot.fraction {
            parts.append(ReportFormat.percent(fraction) + " " + ProgressBar.render(fraction: fraction, width: barWidth))
        }
        parts.append(contentsOf: statistics(snapshot, showPercent: false))
        let line = parts.joined(separator: "  ")
        return fit(line, width: width)
    }

    /// For a log: `train-ae 420/1000 (42%)  12.3 it/s  elapsed 34s  eta 47s  loss 0.0123`.
    public static func log(_ snapshot: ProgressSnapshot) -> String {
        ([snapshot.label] + statistics(snapshot, showPercent: true)).joined(separator: "  ")
    }

    /// The closing line: `train-ae done: 1000/1000 it in 3m05s (5.41 it/s)  loss 0.0123`,
    /// or "stopped" instead of "done" when the loop ended before its total; a resumed loop's
    /// time and rate are this session's, which it says (`…, resumed at 250`).
    public static func summary(_ snapshot: ProgressSnapshot) -> String {
        let finished = snapshot.total.map { snapshot.completed >= $0 } ?? true
        var line =
            "\(snapshot.label) \(finished ? "done" : "stopped"): \(count(snapshot)) \(snapshot.unit)"
            + " in \(ReportFormat.duration(snapshot.elapsed))"
        if let average = snapshot.averageRate {
            line += " (\(ReportFormat.rate(average, unit: snapshot.unit)))"
        }
        if snapshot.resumedAt > 0 {
            line += ", resumed at \(snapshot.resumedAt)"
        }
        if !snapshot.fields.isEmpty {
            line += "  " + ReportFormat.fields(snapshot.fields)
        }
        return line
    }

    /// Count, rate, elapsed, ETA and fields, shared by terminal and log lines.
    static func statistics(_ snapshot: ProgressSnapshot, showPercent: Bool) -> [String] {
        var parts: [String] = []
        var counted = count(snapshot)
        if snapshot.total == nil {
            counted += " " + snapshot.unit
        } else if showPercent, let fraction = snapshot.fraction {
            counted += " (\(ReportFormat.percent(fraction)))"
        }
        parts.append(counted)
        parts.append(snapshot.rate.map { ReportFormat.rate($0, unit: snapshot.unit) } ?? "-- \(snapshot.unit)/s")
        parts.append("elapsed " + ReportFormat.duration(snapshot.elapsed))
        if snapshot.total != nil {
            parts.append("eta " + (snapshot.remainingSeconds.map(ReportFormat.duration) ?? "?"))
        }
        if !snapshot.fields.isEmpty {
            parts.append(ReportFormat.fields(snapshot.fields))
        }
        return parts
    }

    static func count(_ snapshot: ProgressSnapshot) -> String {
        snapshot.total.map { "\(snapshot.completed)/\($0)" } ?? "\(snapshot.completed)"
    }

    /// Cuts `line` to at most `width` characters, marking the cut with "…".
    public static func fit(_ line: String, width: Int) -> String {
        let width = max(width, 1)
        guard line.count > width else { return line }
        return String(line.prefix(width - 1)) + "…"
    }
}
