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
                .prepare: ["source": "synthetic", "count": 1200],
                .trainAE: ["minutes": 4, "width-scale": 0.5, "eval-images": 100],
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 2, enabled: false),
                .trainFlow: ["minutes": 5, "base": 48],
                .distillFlow: Self.distillFlow(minutes: 5, pairs: 512),
                .generate: ["count": 100, "steps": 20],
                .evaluate: [:],
            ]
        case .default:
            return [
                .prepare: ["source": "synthetic", "count": 4000],
                .trainAE: ["minutes": 60],
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 80, enabled: true),
                .trainFlow: ["minutes": 60],
                .distillFlow: Self.distillFlow(minutes: 60, pairs: 4096),
                .generate: Self.generate(count: 100),
                .evaluate: [:],
            ]
        case .full:
            return [
                .prepare: ["source": "synthetic", "count": 10000],
                .trainAE: ["minutes": 240],
                .flowLatents: Self.flowLatents(),
                .finetuneDecoder: Self.decoderFineTune(minutes: 120, enabled: true),
                .trainFlow: ["minutes": 240],
                .distillFlow: Self.distillFlow(minutes: 240, pairs: 10240),
                .generate: Self.generate(count: 1000),
                .evaluate: [:],
            ]
        }
    }

    /// Heun 20 steps with classifier-free guidance 3 from t = 0.2 on: the best of the guidance
    /// settings measured on Oxford's validation photos (docs/results.md).
    private static func generate(count: Int) -> [String: RunOptionValue] {
        ["count": .value(String(count)), "steps": 20, "guidance": 3, "guidance-interval": "0.2,1"]
    }

    /// 20 per class on Oxford; seed 1, so not the noise of generate's samples (seed 0).
    private static func flowLatents() -> [String: RunOptionValue] {
        ["enabled": false, "count": 2040, "seed": 1]
    }

    /// Off in every preset: the few-step generator is made on request (`--set distill-flow.enabled=true`).
    private static func distillFlow(minutes: Int, pairs: Int) -> [String: RunOptionValue] {
        ["enabled": false, "minutes": .value(String(minutes)), "pairs": .value(String(pairs))]
    }

    private static func decoderFineTune(minutes: Int, enabled: Bool) -> [String: RunOptionValue] {
        [
            "enabled": .flag(enabled), "minutes": .value(String(minutes)), "adversarial-weight": 0.02,
            "adversarial-start": 0, "lr": 1e-4, "warmup-steps": 50,
        ]
    }
}
