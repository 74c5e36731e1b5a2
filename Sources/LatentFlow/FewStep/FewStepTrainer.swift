import DataParallel
import FileFormats
import Foundation
import TensorCore

/// Trains a few-step student on teacher pairs (`FewStepObjective`): AdamW with warm-up and
/// cosine decay, clipping, EMA weights; `TrainingLoop` drives it (budgets, checkpoints), and a
/// resume is exact as the flow trainer's (step k's batch and random draws are functions of k alone).
///
/// Kept apart from `FlowTrainer` on purpose: its step draws its own noise and data, this one's
/// come coupled from the teacher, and the shortcut target needs the student's own passes.
public final class FewStepTrainer: Trainer {
    public let model: VelocityUNet
    public let config: FewStepTrainingConfig
    public let batches: ReflowPairBatches
    public let optimizer: AdamW
    public let ema: ExponentialMovingAverage?
    public private(set) var step = 0
    public private(set) var scheduleSteps: Int?
    /// Free-form notes stored in checkpoints (teacher hash, guidance…), checked on resume.
    public var notes: [String: String]
    /// Training seconds over all sessions (a resumed run continues the count), kept by `TrainingLoop`.
    public var trainingSeconds = 0.0
    /// The ranks training together (nil: this process alone); set by `join(_:)`.
    public internal(set) var dataParallel: DataParallelGroup?

    public init(
        model: VelocityUNet, config: FewStepTrainingConfig, batches: ReflowPairBatches,
        notes: [String: String] = [:]
    ) throws {
        try config.validate(batchSize: batches.batchSize)
        guard model.conditionsOnStepSize == config.method.conditionsOnStepSize else {
            throw FlowTrainingError(
                "a \(config.method.rawValue) student \(config.method.conditionsOnStepSize ? "needs" : "has no use for") "
                    + "the step-size input")
        }
        guard batches.sampleShape.count == 3, batches.sampleShape[0] == model.config.channels else {
            throw FlowTrainingError(
                "pairs of shape \(batches.sampleShape) for a \(model.config.channels)-channel network")
        }
        self.model = model
        self.config = config
        self.batches = batches
        self.notes = notes
        let parameters = model.namedParameters()
        optimizer = config.makeOptimizer(parameters)
        ema = config.makeEMA(parameters)
        scheduleSteps = config.scheduleSteps
    }

    public var schedule: LearningRateSchedule {
        config.schedule(totalSteps: scheduleSteps)
    }

    /// A step budget is the decay's length unless one is known (set, or kept from a checkpoint).
    public func beginSession(budget: TrainingBudget) {
        if scheduleSteps == nil, let steps = budget.steps { scheduleSteps = max(steps, 1) }
    }

    /// A time budget's plan, unless the settings fix the length.
    public func planSchedule(steps: Int) {
        if config.scheduleSteps == nil { scheduleSteps = steps }
    }

    /// Data parallel: rank 0's decision and planned schedule length hold for every rank.
    public func agreeOnSessionEnd(_ decision: TrainingEnd?) throws -> TrainingEnd? {
        guard let group = dataParallel else { return decision }
        let agreed = try group.agreeOnSessionEnd(decision, scheduleSteps: scheduleSteps)
        scheduleSteps = agreed.scheduleSteps
        return agreed.decision
    }

    /// One optimizer step. The report's single time bucket holds the whole batch's loss.
    public func trainStep() throws -> FlowStepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = batches.batch(forStep: step)
        if let bad = batch.classes.first(where: { $0 < 0 || $0 > model.nullClass }) {
            throw FlowTrainingError("pair batch of step \(step) has class \(bad), outside 0...\(model.nullClass)")
        }
        var generator = SeededGenerator(
            seed: SeedMixing.combine(config.seed, RandomStream.fewStepTrainingStep.salt, UInt64(step)))
        // Data parallel: this rank's part of the batch (the draws are the whole batch's).
        let objective = FewStepObjective.make(
            batch, config: config, network: model, generator: &generator, part: dataParallel.map { $0.shard(of:) })
        let rate = schedule.learningRate(at: step)
        optimizer.learningRate = rate
        let prediction = model(
            Variable(objective.state), times: objective.times, classes: objective.classes,
            stepSizes: objective.stepSizes)
        let loss = mseLoss(prediction, Variable(objective.target))
        // Data parallel: the gradients and the loss become the global batch's.
        let lossValue = try backwardAcrossRanks(loss, share: Double(objective.count) / Double(batch.count))
        let norm = config.clipGradients(optimizer.parameters.map(\.variable))
        let skipped = !norm.isFinite || !lossValue.isFinite
        if !skipped {
            optimizer.step()
            ema?.update(step: step)
        }
        optimizer.zeroGradients()
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return FlowStepReport(
            step: step, loss: lossValue, learningRate: rate, gradientNorm: norm, skipped: skipped,
            bucketLossSums: [lossValue * Double(batch.count)], bucketCounts: [batch.count],
            samples: batch.count, seconds: seconds)
    }

    // MARK: Checkpoints

    public func saveCheckpoint(to url: URL) throws {
        let info = FewStepCheckpointInfo(
            unet: model.config, config: config, statistics: batches.statistics,
            scheduleSteps: scheduleSteps, notes: notes, trainingSeconds: trainingSeconds)
        try TrainingCheckpoint(
            step: step, parameters: model.namedParameters(), optimizer: optimizer, ema: ema, schedule: schedule,
            userInfo: try TrainerCheckpointInfo(trainer: info, caller: NoCheckpointFields()).json()
        ).save(to: url)
    }

    /// Continues from a checkpoint of the same run: network, settings, statistics and notes
    /// (teacher and pairs) must match. Errors name the file.
    public func resume(from url: URL) throws {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        let info = try FewStepCheckpointInfo.read(checkpoint, path: url.path)
        func mismatch(_ what: String) -> FileFormatError {
            FileFormatError(
                .malformed, path: url.path,
                "the checkpoint was made with a different \(what); "
                    + "resume it with the same settings or start afresh with --restart")
        }
        guard info.unet == model.config else { throw mismatch("network") }
        guard info.statistics == batches.statistics else { throw mismatch("teacher statistics") }
        var expected = config
        expected.scheduleSteps = info.config.scheduleSteps
        guard info.config == expected else { throw mismatch("distillation configuration") }
        guard info.notes == notes else { throw mismatch("teacher or pairs") }
        guard (checkpoint.ema != nil) == (ema != nil) else { throw mismatch("EMA setting") }
        try checkpoint.restore(parameters: model.namedParameters(), optimizer: optimizer, ema: ema)
        step = checkpoint.step
        scheduleSteps = info.scheduleSteps
        trainingSeconds = info.trainingSeconds
    }

    /// The settings a checkpoint was made with (a resume takes them over the options given).
    public static func checkpointSettings(at url: URL) throws -> (
        config: FewStepTrainingConfig, step: Int, notes: [String: String]
    ) {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        let info = try FewStepCheckpointInfo.read(checkpoint, path: url.path)
        return (info.config, checkpoint.step, info.notes)
    }

    /// The model to sample from: the EMA weights (or the trained ones), the teacher's statistics,
    /// the linear path, and the few-step description merged into `info`.
    public func exportModel(info: [String: String], guidance: Float, guidanceInterval: ClosedRange<Float>) throws
        -> FlowModel
    {
        var generator = SeededGenerator(seed: 0)
        let network = VelocityUNet(model.config, generator: &generator)
        if let ema {
            try ema.copyAverages(to: network.namedParameters())
        } else {
            try network.loadStateDictionary(model.stateDictionary(), source: "trained weights")
        }
        let entries = config.modelInfo(guidance: guidance, guidanceInterval: guidanceInterval).infoEntries
        return FlowModel(
            network: network, statistics: batches.statistics, path: .linear, sampleShape: batches.sampleShape,
            info: info.merging(entries) { $1 })
    }
}

/// The few-step trainer's part of a checkpoint (its `user` JSON document).
struct FewStepCheckpointInfo: Codable, Equatable {
    var kind = "few-step"
    var unet: UNetConfig
    var config: FewStepTrainingConfig
    var statistics: ChannelStatistics
    var scheduleSteps: Int?
    var notes: [String: String]
    var trainingSeconds: Double

    static func read(_ checkpoint: TrainingCheckpoint, path: String) throws -> FewStepCheckpointInfo {
        let info = try JSONFile.decode(
            FewStepCheckpointInfo.self, from: Data(checkpoint.userInfo.utf8), path: "\(path) (metadata 'user')")
        guard info.kind == "few-step" else {
            throw FileFormatError(.malformed, path: path, "not a few-step checkpoint (kind '\(info.kind)')")
        }
        return info
    }
}
