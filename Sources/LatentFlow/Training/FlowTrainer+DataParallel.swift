import DataParallel
import TensorCore

/// One rank's part of a step's global batch: its rows of the inputs, and its share of the batch.
struct FlowStepRows {
    var state: Tensor
    var target: Tensor
    var times: [Float]
    var classes: [Int]
    /// rows / global batch size: the weight of this rank's mean-loss gradient in the global one.
    var share: Double
}

/// Data-parallel training of the flow (docs/distributed.md). Alone (no group) every function here
/// is the identity of the single-process step, which stays bit for bit what it was.
extension FlowTrainer {
    /// Trains from now on together with the other ranks of `group`. Fails on every rank unless
    /// all of them hold the same network weights, step, data statistics and notes (which name
    /// the data's digest): the ranks must start from the same settings, data and checkpoint.
    public func join(_ group: DataParallelGroup) throws {
        let parameters = model.namedParameters().map(\.variable.value)
        let settings = "\(config)|\(statistics)|\(notes.sorted { $0.key < $1.key })|\(source.sampleShape)"
        try group.checkAllRanksHold(
            parameters, counters: [Double(step)], settings: settings, what: "network, step, settings or data")
        dataParallel = group
    }

    /// This rank's rows of the step's global batch (all of it when alone).
    func rowsOfThisRank(state: Tensor, target: Tensor, times: [Float], classes: [Int]) throws -> FlowStepRows {
        guard let group = dataParallel else {
            return FlowStepRows(state: state, target: target, times: times, classes: classes, share: 1)
        }
        let count = times.count
        guard count >= group.size else {
            throw FlowTrainingError(
                "a batch of \(count) cannot be shared by \(group.size) ranks; use a batch of at least \(group.size)")
        }
        let rows = group.shard(of: count)
        return FlowStepRows(
            state: state.rows(rows), target: target.rows(rows), times: Array(times[rows]),
            classes: Array(classes[rows]), share: Double(rows.count) / Double(count))
    }

    /// Runs backward. With a group, the gradients become those of the global batch (averaged over
    /// the ranks while backward runs), and the loss and per-bucket sums become the global batch's.
    func backwardAcrossRanks(_ loss: Variable, share: Double, buckets: (sums: [Double], counts: [Int]))
        throws -> (loss: Double, buckets: (sums: [Double], counts: [Int]))
    {
        guard let group = dataParallel else {
            loss.backward()
            return (Double(loss.value.scalarValue), buckets)
        }
        try group.backwardAveragingGradients(loss, parameters: optimizer.parameters.map(\.variable), weight: share)
        let b = buckets.sums.count
        let summed = try group.sum(
            [share * Double(loss.value.scalarValue)] + buckets.sums + buckets.counts.map(Double.init))
        return (summed[0], (Array(summed[1...b]), summed[(b + 1)...].map { Int($0.rounded()) }))
    }

    /// Rank 0's decision to end the session and its schedule length, for every rank (alone: the
    /// values given).
    func agreeWithRank0(_ decision: TrainingEnd?, scheduleSteps: Int?) throws
        -> (decision: TrainingEnd?, scheduleSteps: Int?)
    {
        guard let group = dataParallel else { return (decision, scheduleSteps) }
        return try group.agreeOnSessionEnd(decision, scheduleSteps: scheduleSteps)
    }
}
