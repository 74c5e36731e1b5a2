import ArgumentParser
import Foundation
import LatentFlow
import Pipeline

extension FewStepMethod: ExpressibleByArgument {}

/// `pipeline distill-flow`: a few-step generator from a trained flow.
struct DistillFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill-flow",
        abstract: "Distil a trained flow into a few-step generator (1, 2, 4… network passes).",
        discussion: """
            Samples --pairs teacher pairs (noise and the guided teacher's endpoint; cached in \
            reflow-pairs.h5 and reused while teacher and settings match), then trains a student \
            initialised from the teacher: --method reflow (flow matching on the fixed pairs) or shortcut \
            (the step size as an extra input, taught by two of its own half steps). Writes \
            checkpoint.safetensors, metrics.jsonl, model.safetensors and manifest.json into \
            <artifacts>/<run>/fewstep. The guidance is baked in; sample with \
            `pipeline generate --model <artifacts>/<run>/fewstep/model.safetensors --steps 1|2|4`.
            """)

    static let defaults = DistillFlowStage.Options()

    @OptionGroup var folders: RunFolderOptions
    @Option(
        help: ArgumentHelp("Teacher flow model (default: <artifacts>/<run>/flow/model.safetensors).", valueName: "file")
    )
    var teacher: String?
    @Option(help: ArgumentHelp("Output folder (default: <artifacts>/<run>/fewstep).", valueName: "dir"))
    var output: String?
    @Option(help: "Few-step method: reflow or shortcut.")
    var method = Self.defaults.training.method
    @Option(help: "Teacher pairs to sample and train on.")
    var pairs = Self.defaults.pairs
    @Option(help: "Seed of the pairs' noise.")
    var pairSeed = Self.defaults.pairSeed
    @Option(help: "The teacher's ODE solver for the pairs: euler, midpoint, heun, rk4 or dopri5.")
    var teacherSampler = Self.defaults.teacherSampler.method
    @Option(help: "Steps of the teacher's fixed-step solver.")
    var teacherSteps = Self.defaults.teacherSampler.steps
    @Option(help: "Time-grid shift of the teacher's fixed-step solver (1: uniform; > 1: smaller steps near the noise).")
    var teacherShift = Self.defaults.teacherSampler.shift
    @Option(help: "Relative tolerance of the teacher's dopri5 solver.")
    var teacherRtol = Self.defaults.teacherSampler.relativeTolerance
    @Option(help: "Absolute tolerance of the teacher's dopri5 solver.")
    var teacherAtol = Self.defaults.teacherSampler.absoluteTolerance
    @Option(help: "Pairs per call of the teacher's sampler (under MPI the ranks split these batches).")
    var teacherBatch = Self.defaults.teacherBatch
    @OptionGroup var guidance: GuidanceOptions
    @Option(help: "Batch size.")
    var batchSize = Self.defaults.batchSize
    @Option(help: "The most steps the model is sampled in (shortcut: a power of two; its finest step is 1/this).")
    var maximumSteps = Self.defaults.training.maximumSteps
    @Option(help: "Shortcut: share of each batch trained on the two-half-steps target (the rest on flow matching).")
    var selfConsistency = Self.defaults.training.selfConsistencyFraction

    @OptionGroup var budget: TrainingBudgetOptions
    @Option(help: "Save a checkpoint every this many steps.")
    var checkpointEvery = Self.defaults.checkpointEvery
    @Option(help: "Write a metrics line every this many steps.")
    var logEvery = Self.defaults.logEvery
    @OptionGroup var optimizer: OptimizerOptions<FewStepOptimizerDefaults>
    @Option(help: "Learning rate at the end of the cosine decay.")
    var minLr = Self.defaults.training.minimumLearningRate
    @Option(help: "Length of the cosine decay in steps (default: --steps, or estimated from --minutes).")
    var scheduleSteps: Int?
    @Option(help: "Seed of the times and step sizes.")
    var seed = Self.defaults.training.seed
    @Option(help: "Seed of the batch order.")
    var dataSeed = Self.defaults.dataSeed

    @OptionGroup var runtime: ThreadsOption

    func validate() throws {
        if !budget.hasBudget { throw ValidationError("give a budget: --steps N and/or --minutes M") }
    }

    func options() throws -> DistillFlowStage.Options {
        var options = DistillFlowStage.Options()
        options.run = folders.runName
        options.artifacts = folders.artifacts
        options.teacher = teacher
        options.output = output
        options.pairs = pairs
        options.pairSeed = pairSeed
        options.teacherSampler.method = teacherSampler
        options.teacherSampler.steps = teacherSteps
        options.teacherSampler.shift = teacherShift
        options.teacherSampler.relativeTolerance = teacherRtol
        options.teacherSampler.absoluteTolerance = teacherAtol
        options.teacherBatch = teacherBatch
        options.guidance = guidance.scale
        options.guidanceInterval = try guidance.interval()
        options.batchSize = batchSize
        options.dataSeed = dataSeed
        options.steps = budget.steps
        options.minutes = budget.minutes
        options.resume = budget.resume
        options.restart = budget.restart
        options.checkpointEvery = checkpointEvery
        options.logEvery = logEvery
        var training = Self.defaults.training
        training.method = method
        training.maximumSteps = maximumSteps
        training.selfConsistencyFraction = selfConsistency
        training.learningRate = optimizer.learningRate
        training.minimumLearningRate = minLr
        training.warmupSteps = optimizer.warmupSteps
        training.scheduleSteps = scheduleSteps
        training.weightDecay = optimizer.weightDecay
        training.gradientClip = optimizer.gradientClip
        training.emaDecay = optimizer.emaDecayIfOn
        training.seed = seed
        options.training = training
        return options
    }

    func run() throws {
        let stop = StopSignal.shared
        try DistillFlowStage.run(try options(), shouldStop: { stop.stopRequested })
    }
}
