import DataParallel
import TensorCore

/// Data-parallel training of the codebooks (docs/distributed.md): every rank quantizes its rows
/// of the batch, and every codebook update is the one a single process makes from the whole batch,
/// so the codebooks stay identical on all ranks without ever being broadcast.
extension ResidualVectorQuantizer {
    /// `trainingStep(_:generator:)` on this rank's latents [n, D, h, w] of a batch shared by the
    /// ranks of `share.group`. The EMA step of every level learns from the per-code counts and
    /// sums summed over the ranks (one allreduce for all levels); a level with idle codes gathers
    /// the whole batch's residuals, so the restart draws the rows one process would. The
    /// generator is the same on every rank, so dropout and restarts draw alike.
    /// - Precondition: the codebooks are started (the trainer starts them on the whole batch).
    public func trainingStep(_ latents: Variable, generator: inout SeededGenerator, share: QuantizerBatchShare)
        throws -> QuantizerTrainingOutput
    {
        precondition(isInitialized, "ResidualVectorQuantizer.trainingStep: start the codebooks before sharing batches")
        precondition(
            latents.value.rank == 4 && latents.value.shape[0] == share.images.count,
            "ResidualVectorQuantizer.trainingStep: latents \(latents.value.shape) for images \(share.images)")
        let positions = latents.value.shape[2] * latents.value.shape[3]
        return try trainingPass(latents, generator: &generator) { inputs, perLevel, generator in
            let summed = try summedStatistics(inputs: inputs, codes: perLevel, group: share.group)
            var restarted: [Int] = []
            for level in 0..<config.levels {
                updateLevel(level) { $0.applyEMA(summed[level], decay: config.decay, epsilon: config.epsilon) }
                // Idle counts come from the summed statistics, so every rank sees the same idle codes
                // and takes part in the gather, or none does.
                guard !levels[level].idleCodes(window: config.deadCodeWindow).isEmpty else {
                    restarted.append(0)
                    continue
                }
                let d = config.dimension
                let whole = try share.group.concatenatingRows(
                    inputs[level].values, width: d, offset: share.images.lowerBound * positions,
                    total: share.batchSize * positions)
                let vectors = Tensor(shape: [share.batchSize * positions, d], values: whole)
                var count = 0
                updateLevel(level) {
                    count =
                        $0.restartIdleCodes(vectors: vectors, window: config.deadCodeWindow, generator: &generator)
                        .count
                }
                restarted.append(count)
            }
            return restarted
        }
    }

    /// Every level's batch statistics of this rank, summed over the ranks.
    private func summedStatistics(inputs: [Tensor], codes: [[Int32]], group: DataParallelGroup) throws
        -> [CodebookBatchStatistics]
    {
        let local = (0..<config.levels).map { levels[$0].batchStatistics(vectors: inputs[$0], codes: codes[$0]) }
        let summed = try group.sum(local.flatMap { $0.counts + $0.sums })
        let k = config.codebookSize, length = k * (1 + config.dimension)
        return (0..<config.levels).map { level in
            let start = level * length
            return CodebookBatchStatistics(
                counts: Array(summed[start..<(start + k)]), sums: Array(summed[(start + k)..<(start + length)]))
        }
    }

    /// Replaces rank 0's codebooks and statistics on every rank (after a start that each rank made
    /// on its own, whose float sums could differ in the last bits between hosts).
    public func adoptRank0Codebooks(_ group: DataParallelGroup) throws {
        let names = bufferNames()
        let current = buffers()
        var adopted: [String: Tensor] = [:]
        for name in names {
            let tensor = current[name]!
            adopted[name] = Tensor(shape: tensor.shape, values: try group.rank0Values(tensor.values))
        }
        try loadBuffers(adopted, source: "rank 0's codebooks")
    }
}
