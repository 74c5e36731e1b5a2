/// Sizes of a whole run. `quick` finishes within about 15 minutes on a 2-core machine on the
/// embedded synthetic flowers; `default` is the hour-scale study run; `full` is for an overnight run.
///
/// The decoder fine-tune (PatchGAN weight 0.02 from the first step, learning rate 1e-4: the
/// settings measured on Oxford) is on in `default` (80 minutes: about the 4,500 steps of the best
/// decoder measured, on two free cores) and `full`; `quick` has its settings but
/// leaves it off. `flow-latents` (the flow's samples judged by the fine-tune's discriminator too)
/// has its settings in every preset and is off: on Oxford it made no difference (see README).
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
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 2, enabled: false),
                .trainFlow: ["minutes": .value("5"), "base": .value("48")],
                .generate: ["count": .value("100"), "steps": .value("20")],
                .evaluate: [:],
            ]
        case .default:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("4000")],
                .trainAE: ["minutes": .value("60")],
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 80, enabled: true),
                .trainFlow: ["minutes": .value("60")],
                .generate: Self.generate(count: 100),
                .evaluate: [:],
            ]
        case .full:
            return [
                .prepare: ["source": .value("synthetic"), "count": .value("10000")],
                .trainAE: ["minutes": .value("240")],
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 120, enabled: true),
                .trainFlow: ["minutes": .value("240")],
                .generate: Self.generate(count: 1000),
                .evaluate: [:],
            ]
        }
    }

    /// Heun 20 steps with classifier-free guidance 3 from t = 0.2 on: on Oxford (one-hour flow,
    /// fine-tuned decoder, 1,020 samples) guidance 1, 1.5 and 2 everywhere scored a mean SWD of
    /// 23.8, 21.1 and 20.3 (the 64 and 32 px levels falling most), 2.5 rose again at 16 px (the
    /// colours); kept off the first fifth of the flow, guidance 3 scored 19.9.
    private static func generate(count: Int) -> [String: RunOptionValue] {
        ["count": .value("\(count)"), "steps": .value("20"), "guidance": .value("3"), "guidance-interval": .value("0.2,1")]
    }

    /// 20 per class on Oxford; seed 1, so not the noise of generate's samples (seed 0).
    private static func flowLatents() -> [String: RunOptionValue] {
        ["enabled": .flag(false), "count": .value("2040"), "seed": .value("1")]
    }

    private static func decoderFineTune(minutes: Int, enabled: Bool) -> [String: RunOptionValue] {
        ["enabled": .flag(enabled), "minutes": .value("\(minutes)"), "adversarial-weight": .value("0.02"),
         "adversarial-start": .value("0"), "lr": .value("1e-4"), "warmup-steps": .value("50")]
    }
}
