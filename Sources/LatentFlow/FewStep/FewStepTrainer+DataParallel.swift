import DataParallel
import TensorCore

/// Data-parallel distillation (docs/distributed.md), as the flow trainer's: every rank draws the
/// whole step's batch, times and step sizes, trains on its part of the rows, and the gradients
/// are averaged over the ranks during backward, so clipping, AdamW and the EMA see the same
/// gradients on every rank. Alone (no group) the step is what it was, bit for bit.
extension FewStepTrainer {
    /// Trains from now on together with the other ranks of `group`. Fails on every rank unless
    /// all of them hold the same student weights, step, settings, teacher statistics and notes
    /// (the teacher's and the pairs' digests), or when a batch leaves some rank without rows.
    public func join(_ group: DataParallelGroup) throws {
        let n = batches.batchSize
        let consistency = FewStepObjective.consistencyCount(batch: n, config: config)
        // Every rank computes every rank's rows, so all of them fail alike.
        for rank in 0..<group.size
        where group.shard(of: n - consistency, rank: rank).isEmpty && group.shard(of: consistency, rank: rank).isEmpty {
            throw FlowTrainingError(
                "a batch of \(n) leaves rank \(rank) of \(group.size) without rows; use a batch of at least \(group.size)"
            )
        }
        let parameters = model.namedParameters().map(\.variable.value)
        let settings = "\(config)|\(batches.statistics)|\(notes.sorted { $0.key < $1.key })|\(batches.sampleShape)|\(n)"
        try group.checkAllRanksHold(
            parameters, counters: [Double(step)], settings: settings, what: "student, step, settings or teacher pairs")
        dataParallel = group
    }

    /// Runs backward; with a group the gradients become the global batch's mean-loss gradients
    /// (this rank's weighted by `share`, its rows over the batch) and the loss the global one.
    func backwardAcrossRanks(_ loss: Variable, share: Double) throws -> Double {
        guard let group = dataParallel else {
            loss.backward()
            return Double(loss.value.scalarValue)
        }
        try group.backwardAveragingGradients(loss, parameters: optimizer.parameters.map(\.variable), weight: share)
        return try group.sum([share * Double(loss.value.scalarValue)])[0]
    }
}
