import TensorCore

extension DataParallelGroup {
    /// Rank 0's decision to end the session and its schedule length, for every rank. A time
    /// budget and a stop request are read from rank 0's clock and signals, so all ranks stop
    /// after the same step and decay the learning rate alike (what `Trainer.agreeOnSessionEnd`
    /// of a data-parallel trainer returns).
    public func agreeOnSessionEnd(_ decision: TrainingEnd?, scheduleSteps: Int?) throws
        -> (decision: TrainingEnd?, scheduleSteps: Int?)
    {
        let ends: [TrainingEnd] = [.stepBudget, .timeBudget, .stopped]
        let code = decision.flatMap { ends.firstIndex(of: $0) }.map(Int64.init) ?? -1
        let agreed = try rank0Decision([code, scheduleSteps.map(Int64.init) ?? -1])
        return (agreed[0] >= 0 ? ends[Int(agreed[0])] : nil, agreed[1] >= 0 ? Int(agreed[1]) : nil)
    }
}
