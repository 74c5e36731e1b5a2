import DataParallel
import TensorCore

/// Data-parallel training of the autoencoder (docs/distributed.md). Alone (no group) every
/// function here is the identity of the single-process step, which stays bit for bit what it was.
extension AutoencoderTrainer {
    /// Trains from now on together with the other ranks of `group`. Fails on every rank unless all
    /// of them hold the same weights, averages, codebooks, discriminator, generator, step and
    /// settings: the ranks must start from the same settings, data and checkpoint.
    public func join(_ group: DataParallelGroup) throws {
        var tensors = model.namedParameters().map(\.variable.value)
        let buffers = model.quantizer.buffers()
        tensors += model.quantizer.bufferNames().map { buffers[$0]! }
        if let ema {
            let averages = ema.averagesByName()
            tensors += ema.parameters.map { averages[$0.name]! }
        }
        if let adversarial { tensors += adversarial.discriminator.namedParameters().map(\.variable.value) }
        let counters = [step, horizon, adversarial?.steps ?? -1].map(Double.init)
        let generatorWords = generator.stateWords.flatMap { [Double($0 >> 32), Double($0 & 0xFFFF_FFFF)] }
        try group.checkAllRanksHold(
            tensors, counters: counters + generatorWords, settings: "\(config)|\(model.config)",
            what: "network, codebooks, step or settings")
        dataParallel = group
        discriminatorRanks = DataParallelGroup(
            communicator: group.communicator, bucketCapacityBytes: group.bucketCapacityBytes)
    }

    /// What averaging gradients cost this rank so far (the autoencoder's and the
    /// discriminator's), nil alone.
    public var communicationStatistics: CommunicationStatistics? {
        guard let dataParallel else { return nil }
        var total = dataParallel.statistics
        if let other = discriminatorRanks?.statistics {
            total.steps = max(total.steps, other.steps)
            total.allreduceSeconds += other.allreduceSeconds
            total.exposedSeconds += other.exposedSeconds
            total.bytes += other.bytes
        }
        return total
    }

    /// This rank's rows of the step's batch (all of it when alone).
    func rowsOfThisRank(_ batch: Tensor) throws -> AutoencoderStepRows {
        guard let group = dataParallel else { return .whole(batch) }
        let count = batch.shape[0]
        guard count >= group.size else {
            throw AutoencoderTrainingError(
                "a batch of \(count) cannot be shared by \(group.size) ranks; use a batch of at least \(group.size)")
        }
        let images = group.shard(of: count)
        return AutoencoderStepRows(
            images: batch.rows(images), batchSize: count, share: Double(images.count) / Double(count),
            quantizerShare: QuantizerBatchShare(group: group, images: images, batchSize: count),
            generatedShard: { group.shard(of: $0) })
    }

    /// Runs backward; with a group, the trained parameters' gradients become the global batch's
    /// (averaged over the ranks while backward runs). The discriminator's parameters, which the
    /// adversarial term also reaches, are left alone: its own step clears and averages them.
    func backwardAcrossRanks(_ loss: Variable, share: Double) throws {
        guard let group = dataParallel else {
            loss.backward()
            return
        }
        try group.backwardAveragingGradients(loss, parameters: optimizer.parameters.map(\.variable), weight: share)
    }

    /// The loss, its terms, the PSNR and the code perplexities of the global batch: each rank's
    /// means weighted by its share and summed, the code counts summed (alone: this batch's).
    func figuresAcrossRanks(_ forward: StepForward, rows: AutoencoderStepRows) throws
        -> (loss: Double, terms: [String: Double], psnr: Double, perplexity: [Double])
    {
        let parts = forward.terms.parts
        let levels = model.config.quantizer.levels
        guard let group = dataParallel else {
            let perplexity = forward.usage.map { usage in (0..<levels).map { usage.perplexity(level: $0) } } ?? []
            return (
                forward.loss, Dictionary(uniqueKeysWithValues: parts.map { ($0.name, $0.value) }), forward.psnr,
                perplexity
            )
        }
        // A term over the generated pictures is a mean over the generated rows: weighted by their share.
        let weights = parts.map { $0.name == "adversarial_generated" ? forward.generatedShare : rows.share }
        let counts = forward.usage?.counts.flatMap { $0.map(Double.init) } ?? []
        let summed = try group.sum(
            [rows.share * forward.loss, rows.share * forward.psnr] + zip(parts, weights).map { $0.value * $1 }
                + counts)
        var terms: [String: Double] = [:]
        for (i, part) in parts.enumerated() { terms[part.name] = summed[2 + i] }
        var perplexity: [Double] = []
        if forward.usage != nil {
            let k = model.config.quantizer.codebookSize
            let total = summed[(2 + parts.count)...].map { Int($0.rounded()) }
            let usage = CodeUsage(counts: (0..<levels).map { Array(total[($0 * k)..<(($0 + 1) * k)]) })
            perplexity = (0..<levels).map { usage.perplexity(level: $0) }
        }
        return (summed[0], terms, summed[1], perplexity)
    }

    /// After the codebooks' k-means start, which every rank made on the same whole batches: rank
    /// 0's codebooks and generator on every rank, so that last-bit differences of the encoder
    /// between hosts (other thread counts) cannot set the ranks' codebooks apart.
    func adoptRank0Start() throws {
        guard let group = dataParallel else { return }
        try model.quantizer.adoptRank0Codebooks(group)
        let words = try group.rank0Decision(generator.stateWords.map { Int64(bitPattern: $0) })
        guard let adopted = SeededGenerator(stateWords: words.map { UInt64(bitPattern: $0) }) else {
            throw AutoencoderTrainingError("rank 0's quantizer generator state could not be read")
        }
        generator = adopted
    }

    /// Data parallel: rank 0's decision to end the session and its planned horizon hold for every
    /// rank, so all stop after the same step and decay the learning rate alike.
    public func agreeOnSessionEnd(_ decision: TrainingEnd?) throws -> TrainingEnd? {
        guard let group = dataParallel else { return decision }
        let ends: [TrainingEnd] = [.stepBudget, .timeBudget, .stopped]
        let code = decision.flatMap { ends.firstIndex(of: $0) }.map(Int64.init) ?? -1
        let agreed = try group.rank0Decision([code, Int64(horizon)])
        if agreed[1] > 0 && Int(agreed[1]) != horizon { setHorizon(Int(agreed[1])) }
        return agreed[0] >= 0 ? ends[Int(agreed[0])] : nil
    }
}
