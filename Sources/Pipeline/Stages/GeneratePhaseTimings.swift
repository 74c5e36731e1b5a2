import Foundation

/// `generate --timings`: the seconds of each phase of a run, one line each, so that runs can be
/// compared phase by phase (the sidecar holds the same numbers).
extension GenerateStage.Sidecar {
    /// The phases in the order they run; "other" is what the total has beyond them.
    static let timedPhases = ["load", "sampling", "snap", "decode", "write"]

    /// Lines "phase  seconds  share of the total", then "other" and "total".
    public var phaseTimingsText: String {
        let total = timings["total"] ?? 0
        var rows = Self.timedPhases.compactMap { phase in timings[phase].map { (phase, $0) } }
        rows.append(("other", max(0, total - rows.reduce(0) { $0 + $1.1 })))
        rows.append(("total", total))
        return rows.map { phase, seconds in
            let share = total > 0 ? 100 * seconds / total : 0
            return phase.padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(format: "%8.3f s %5.1f %%", seconds, share)
        }.joined(separator: "\n") + "\n"
    }
}
