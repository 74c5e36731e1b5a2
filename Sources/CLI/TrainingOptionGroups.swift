import ArgumentParser
import Pipeline

/// The budget of a training stage and how it starts: one spelling for train-ae and train-flow.
struct TrainingBudgetOptions: ParsableArguments {
    @Option(help: "Optimizer steps in all (also the horizon of the cosine decay).")
    var steps: Int?
    @Option(
        help:
            "Minutes of training in all sessions together (a resumed run trains what is left; evaluation does not count); alone, the step count is planned from the speed of the recent steps and revised as it goes."
    )
    var minutes: Double?
    @Flag(help: "Continue from the stage's checkpoint.")
    var resume = false
    @Flag(help: "Start afresh: the stage's checkpoint and outputs are moved to <run>/previous/, never deleted.")
    var restart = false

    var hasBudget: Bool { steps != nil || minutes != nil }

    func validate() throws {
        if resume && restart { throw ValidationError("--resume and --restart exclude each other") }
    }
}

/// Where a training stage's optimizer options take their defaults: its typed options, the one
/// home of each default (`TrainAEOptions`, `FlowTrainingConfig`, `FewStepTrainingConfig`).
protocol OptimizerDefaults {
    static var learningRate: Double { get }
    static var warmupSteps: Int { get }
    static var weightDecay: Double { get }
    static var clipNorm: Double { get }
    static var emaDecay: Double { get }
}

/// AdamW with warm-up and cosine decay, clipping and the EMA of the weights: one spelling for
/// both trainers (`--warmup` and `--clip` are older spellings kept for existing scripts).
struct OptimizerOptions<Defaults: OptimizerDefaults>: ParsableArguments {
    @Option(name: .customLong("lr"), help: "Peak learning rate (AdamW, after a linear warm-up, then cosine decay).")
    var learningRate = Defaults.learningRate
    @Option(name: [.customLong("warmup-steps"), .customLong("warmup")], help: "Linear warm-up steps.")
    var warmupSteps = Defaults.warmupSteps
    @Option(help: "AdamW weight decay.")
    var weightDecay = Defaults.weightDecay
    @Option(name: [.customLong("clip-norm"), .customLong("clip")], help: "Gradient-norm clipping (0: off).")
    var clipNorm = Defaults.clipNorm
    @Option(help: "Decay of the EMA of the weights that are evaluated and saved (0: no EMA).")
    var emaDecay = Defaults.emaDecay

    /// 0 switches clipping and the EMA off.
    var gradientClip: Double? { clipNorm > 0 ? clipNorm : nil }
    var emaDecayIfOn: Double? { emaDecay > 0 ? emaDecay : nil }
}

enum AutoencoderOptimizerDefaults: OptimizerDefaults {
    private static let options = TrainAEOptions()
    static var learningRate: Double { options.learningRate }
    static var warmupSteps: Int { options.warmupSteps }
    static var weightDecay: Double { options.weightDecay }
    static var clipNorm: Double { options.clipNorm }
    static var emaDecay: Double { options.emaDecay ?? 0 }
}

enum FewStepOptimizerDefaults: OptimizerDefaults {
    private static let training = DistillFlowStage.Options().training
    static var learningRate: Double { training.learningRate }
    static var warmupSteps: Int { training.warmupSteps }
    static var weightDecay: Double { training.weightDecay }
    static var clipNorm: Double { training.gradientClip ?? 0 }
    static var emaDecay: Double { training.emaDecay ?? 0 }
}

enum FlowOptimizerDefaults: OptimizerDefaults {
    private static let training = TrainFlowStage.Options().training
    static var learningRate: Double { training.learningRate }
    static var warmupSteps: Int { training.warmupSteps }
    static var weightDecay: Double { training.weightDecay }
    static var clipNorm: Double { training.gradientClip ?? 0 }
    static var emaDecay: Double { training.emaDecay ?? 0 }
}
