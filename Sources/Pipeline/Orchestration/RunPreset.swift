/// Sizes of a whole run. `quick` finishes within about 15 minutes on a 2-core machine on the
/// embedded synthetic flowers; `default` is the hour-scale study run; `full` is for an overnight run.
///
/// The decoder fine-tune (PatchGAN weight 0.02 from the first step, learning rate 1e-4: the
/// settings measured on Oxford) is on in `default` and `full`; `quick` has its settings but
/// leaves it off.
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
                .finetuneDecoder: Self.decoderFineTune(minutes: 2, enabled: false),
                .trainFlow: ["minutes": .value("5"), "base": .value("48")],
                .generate: ["count": .value("100"), "steps": .value("20")],
                .evaluate: [:],
            ]
        case .default:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("4000")],
                .trainAE: ["minutes": .value("60")],
                .finetuneDecoder: Self.decoderFineTune(minutes: 60, enabled: true),
                .trainFlow: ["minutes": .value("60")],
                .generate: ["count": .value("100"), "steps": .value("20")],
                .evaluate: [:],
            ]
        case .full:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("10000")],
                .trainAE: ["minutes": .value("240")],
                .finetuneDecoder: Self.decoderFineTune(minutes: 120, enabled: true),
                .trainFlow: ["minutes": .value("240")],
                .generate: ["count": .value("1000"), "steps": .value("20")],
                .evaluate: [:],
            ]
        }
    }

    private static func decoderFineTune(minutes: Int, enabled: Bool) -> [String: RunOptionValue] {
        ["enabled": .flag(enabled), "minutes": .value("\(minutes)"), "adversarial-weight": .value("0.02"),
         "adversarial-start": .value("0"), "lr": .value("1e-4"), "warmup-steps": .value("50")]
    }
}
