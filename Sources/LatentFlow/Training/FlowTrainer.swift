import DataParallel
import FileFormats
import Foundation
import TensorCore

/// Trains a `VelocityUNet` by flow matching on batches from any `FlowBatchSource`.
///
/// One step: take the step's batch, standardise it per channel, draw unit Gaussian noise (paired
/// with the data by minibatch optimal transport if asked), draw times, replace a fraction of the
/// labels by the "no class" id, form x_t and the velocity target on the chosen path, and take an
/// AdamW step on the mean squared error (after clipping), then update the EMA weights.
///
/// Every random draw of step k comes from a generator seeded with (seed, k) and the batch of step
/// k is the source's pure function of k, so a run resumed from a checkpoint takes exactly the
/// steps the uninterrupted run would have taken. Nothing here assumes a data shape: latents
/// (4×16×16) and pixels (3×128×128) train the same way. `TrainingLoop` drives it, as it does the
/// autoencoder's trainer.
public final class FlowTrainer: Trainer {
    public let model: VelocityUNet
    public let config: FlowTrainingConfig
    public let statistics: ChannelStatistics
    public let source: FlowBatchSource
    public let optimizer: AdamW
    public let ema: ExponentialMovingAverage?
    /// Steps completed.
    public private(set) var step = 0
    /// Length of the cosine decay, once known (see `FlowTrainingConfig.scheduleSteps`).
    public private(set) var scheduleSteps: Int?
    /// Free-form notes stored in checkpoints (and checked on resume).
    public var notes: [String: String]
    /// The ranks training together (nil: this process alone); set by `join(_:)`.
    public internal(set) var dataParallel: DataParallelGroup?
    /// Training wall-clock seconds over all sessions (a resumed run continues the count), without
    /// the time `TrainingLoop` spent paused (evaluation); updated after every step. This, not the
    /// wall clock, is what a time budget spends, so runs that pause for different costs of
    /// evaluation get the same training compute.
    public var trainingSeconds = 0.0
    /// See `GradientHook`: after the backward pass, before clipping (nil: nothing).
    public var gradientHook: GradientHook?

    /// - Throws: `FlowTrainingError` if the settings are invalid or the data, statistics and
    ///   network disagree about the number of channels or the sample size.
    public init(
        model: VelocityUNet, config: FlowTrainingConfig, statistics: ChannelStatistics,
        source: FlowBatchSource, notes: [String: String] = [:]
    ) throws {
        try config.validate()
        let shape = source.sampleShape
        guard shape.count == 3, shape[0] == model.config.channels else {
            throw FlowTrainingError(
                "the data has samples of shape \(shape), the network expects \(model.config.channels) channels [C, H, W]"
            )
        }
        let divisor = model.config.sideDivisor
        guard shape[1] % divisor == 0, shape[2] % divisor == 0, shape[1] > 0, shape[2] > 0 else {
            throw FlowTrainingError(
                "samples of \(shape[1])×\(shape[2]) cannot be halved \(model.config.multipliers.count - 1) times by the network"
            )
        }
        guard statistics.channels == shape[0] else {
            throw FlowTrainingError("statistics for \(statistics.channels) channels, the data has \(shape[0])")
        }
        self.model = model
        self.config = config
        self.statistics = statistics
        self.source = source
        self.notes = notes
        let parameters = model.namedParameters()
        optimizer = config.makeOptimizer(parameters)
        ema = config.makeEMA(parameters)
        scheduleSteps = config.scheduleSteps
    }

    // MARK: Schedule

    /// The learning-rate schedule in force: warm-up then cosine decay once its length is known,
    /// warm-up then constant before.
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
        let agreed = try agreeWithRank0(decision, scheduleSteps: scheduleSteps)
        scheduleSteps = agreed.scheduleSteps
        return agreed.decision
    }

    // MARK: One step

    /// Takes one optimizer step and reports it: batch → loss → backward → (gradient hook) → clip →
    /// optimizer and EMA.
    public func trainStep() throws -> FlowStepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = try checkedBatch()
        let rate = schedule.learningRate(at: step)
        let forward = try loss(on: batch, learningRate: rate)
        // Data parallel: the gradients, loss and bucket losses become the global batch's.
        let (lossValue, buckets) = try backwardAcrossRanks(forward.loss, share: forward.share, buckets: forward.buckets)
        try gradientHook?(optimizer.parameters)
        let norm = clipGradients()
        let skipped = !norm.isFinite || !lossValue.isFinite
        update(skipped: skipped)
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return FlowStepReport(
            step: step, loss: lossValue, learningRate: rate, gradientNorm: norm, skipped: skipped,
            bucketLossSums: buckets.sums, bucketCounts: buckets.counts,
            samples: batch.count, seconds: seconds)
    }

    /// The batch of this step, checked against the network.
    private func checkedBatch() throws -> FlowBatch {
        let batch = try source.batch(forStep: step)
        guard Array(batch.data.shape.dropFirst()) == source.sampleShape, batch.count > 0 else {
            throw FlowTrainingError(
                "batch of step \(step) has shape \(batch.data.shape), expected [N] + \(source.sampleShape)")
        }
        let classCount = model.config.classCount
        if let bad = batch.labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw FlowTrainingError(
                "batch of step \(step) has label \(bad), outside the network's \(classCount) classes")
        }
        return batch
    }

    /// Batch → loss: noise, times and labels of this step drawn, x_t and the velocity target formed
    /// on the path, and the network's mean squared error (with its per-time-bucket sums).
    private func loss(on batch: FlowBatch, learningRate: Double) throws
        -> (loss: Variable, share: Double, buckets: (sums: [Double], counts: [Int]))
    {
        let n = batch.count
        var generator = SeededGenerator(
            seed: SeedMixing.combine(config.seed, RandomStream.flowTrainingStep.salt, UInt64(step)))
        let data = statistics.isIdentity ? batch.data : statistics.standardize(batch.data)
        var noise = Initialization.normal(shape: data.shape, generator: &generator)
        if config.optimalTransport {
            // Conditional training pairs within each class, so every class trains from N(0, I) noise.
            noise = try MinibatchOptimalTransport.pairedNoise(
                data: data, noise: noise,
                labels: config.conditional ? batch.labels : nil)
        }
        let times = config.timeSampling.sample(n, generator: &generator)
        let classes = batch.labels.map { label -> Int in
            let drop = generator.uniform() < Float(config.labelDropout)
            return config.conditional && !drop ? label : model.nullClass
        }
        let (state, target) = config.path.interpolate(noise: noise, data: data, times: times)
        // Data parallel: every rank drew the global batch above; it trains on its rows of it.
        let rows = try rowsOfThisRank(state: state, target: target, times: times, classes: classes)

        optimizer.learningRate = learningRate
        let prediction = model(Variable(rows.state), times: rows.times, classes: rows.classes)
        let loss = mseLoss(prediction, Variable(rows.target))
        return (loss, rows.share, bucketLosses(prediction.value, rows.target, times: rows.times))
    }

    /// Clips the global gradient norm (when set); returns the norm before clipping.
    private func clipGradients() -> Double {
        config.clipGradients(optimizer.parameters.map(\.variable))
    }

    /// The optimizer's step and the EMA's, unless the loss or gradient is not finite.
    private func update(skipped: Bool) {
        if !skipped {
            optimizer.step()
            ema?.update(step: step)
        }
        optimizer.zeroGradients()
    }

    /// Per-sample mean squared errors, summed per time bucket.
    private func bucketLosses(_ prediction: Tensor, _ target: Tensor, times: [Float]) -> (sums: [Double], counts: [Int])
    {
        let b = config.timeBuckets
        var sums = [Double](repeating: 0, count: b), counts = [Int](repeating: 0, count: b)
        let n = times.count
        let per = prediction.count / max(n, 1)
        let p = prediction.unsafePointer, q = target.unsafePointer
        for i in 0..<n {
            var total: Float = 0
            for j in (i * per)..<((i + 1) * per) {
                let d = p[j] - q[j]
                total += d * d
            }
            let bucket = min(b - 1, max(0, Int(times[i] * Float(b))))
            sums[bucket] += Double(total) / Double(per)
            counts[bucket] += 1
        }
        return (sums, counts)
    }

    // MARK: Checkpoints

    public func makeCheckpoint() throws -> TrainingCheckpoint {
        let fields = FlowCheckpointFields(
            unet: model.config, config: config, statistics: statistics,
            scheduleSteps: scheduleSteps, notes: notes, trainingSeconds: trainingSeconds)
        let text = try TrainerCheckpointInfo(trainer: fields, caller: NoCheckpointFields()).json()
        return TrainingCheckpoint(
            step: step, parameters: model.namedParameters(), optimizer: optimizer, ema: ema,
            schedule: schedule, userInfo: text)
    }

    /// Writes the full training state atomically.
    public func saveCheckpoint(to url: URL) throws {
        try makeCheckpoint().save(to: url)
    }

    /// Continues from a checkpoint of the same run: network shape, training settings and data
    /// statistics must match (they decide what the next steps do). Errors name the file.
    public func resume(from url: URL) throws {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        let info = try Self.info(of: checkpoint, path: url.path)
        func mismatch(_ what: String) -> FileFormatError {
            FileFormatError(
                .malformed, path: url.path,
                "the checkpoint was made with a different \(what); "
                    + "resume it with the same settings or start a new run")
        }
        guard info.unet == model.config else { throw mismatch("network (\(info.unet) vs \(model.config))") }
        guard info.statistics == statistics else { throw mismatch("data statistics") }
        var expected = config
        expected.scheduleSteps = info.config.scheduleSteps
        // The initial weights are the checkpoint's now: how they were first set does not matter.
        expected.zeroInitialisedBranchOutputs = info.config.zeroInitialisedBranchOutputs
        guard info.config == expected else { throw mismatch("training configuration") }
        guard (checkpoint.ema != nil) == (ema != nil) else { throw mismatch("EMA setting") }
        try checkpoint.restore(parameters: model.namedParameters(), optimizer: optimizer, ema: ema)
        step = checkpoint.step
        scheduleSteps = info.scheduleSteps
        trainingSeconds = info.trainingSeconds ?? 0
    }

    /// The trainer's information in a checkpoint (network, settings, statistics, notes).
    /// `trainingSeconds` is 0 for checkpoints made before it was recorded.
    public static func checkpointSettings(at url: URL) throws -> (
        unet: UNetConfig, config: FlowTrainingConfig,
        statistics: ChannelStatistics, notes: [String: String], step: Int,
        trainingSeconds: Double
    ) {
        let checkpoint = try TrainingCheckpoint.load(from: url)
        let info = try info(of: checkpoint, path: url.path)
        return (info.unet, info.config, info.statistics, info.notes, checkpoint.step, info.trainingSeconds ?? 0)
    }

    static func info(of checkpoint: TrainingCheckpoint, path: String) throws -> FlowCheckpointFields {
        let info = try TrainerCheckpointInfo<FlowCheckpointFields, NoCheckpointFields>.read(checkpoint, path: path)
            .trainer
        guard info.kind == "flow-matching" else {
            throw FileFormatError(.malformed, path: path, "not a flow-matching checkpoint (kind '\(info.kind)')")
        }
        return info
    }

    // MARK: The result

    /// The model to sample from: a separate network holding the EMA weights (or the trained ones
    /// without EMA), with the data statistics and the path.
    public func exportModel(info: [String: String] = [:]) throws -> FlowModel {
        var generator = SeededGenerator(seed: 0)
        let network = VelocityUNet(model.config, generator: &generator)
        if let ema {
            try ema.copyAverages(to: network.namedParameters())
        } else {
            try network.loadStateDictionary(model.stateDictionary(), source: "trained weights")
        }
        return FlowModel(
            network: network, statistics: statistics, path: config.path, sampleShape: source.sampleShape, info: info)
    }
}
