/// Sizes of a whole run. `quick` finishes within about 15 minutes on a 2-core machine on the
/// embedded synthetic flowers; `default` is the hour-scale study run; `full` is for an overnight run.
public enum RunPreset: String, CaseIterable, Codable, Sendable {
    case quick
    case `default`
    case full

    var stageOptions: [RunStage: [String: RunOptionValue]] {
        switch self {
        case .quick:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("1200")],
                .trainAE: ["minutes": .value("4"), "width-scale": .value("0.5"), "eval-images": .value("100")],
                .trainFlow: ["minutes": .value("5"), "base": .value("48")],
                .generate: ["count": .value("100"), "steps": .value("20")],
                .evaluate: [:],
            ]
        case .default:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("4000")],
                .trainAE: ["minutes": .value("60")],
                .trainFlow: ["minutes": .value("60")],
                .generate: ["count": .value("100"), "steps": .value("20")],
                .evaluate: [:],
            ]
        case .full:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("10000")],
                .trainAE: ["minutes": .value("240")],
                .trainFlow: ["minutes": .value("240")],
                .generate: ["count": .value("1000"), "steps": .value("20")],
                .evaluate: [:],
            ]
        }
    }
}
