import DataParallel
import LatentFlow
import TensorCore
import XCTest

/// N ranks (threads of this process, `ThreadGroupCommunicator`) against one process on the same
/// global batches: the same weights and EMA after k steps, up to the order of float sums.
/// MPIEquivalenceTests does the same across real processes under mpirun.
final class ThreadedEquivalenceTests: XCTestCase {
    /// Per-rank partial gradients summed over the ranks differ from the one-process sums in the
    /// last bits (≈1e-7 relative, ShardedGradientTests). AdamW divides every gradient element by its
    /// own running size, so an element whose gradient is near AdamW's ε or comes out of
    /// cancellation turns those bits into a visible difference of its update: measured up to
    /// 2.8e-5 after one step of a batch of 7 (lr 5e-4 at that step), not growing over the next
    /// steps. A tenth of the learning rate is 3× that margin, and still 10× below what a wrong
    /// shard or noise draw gives (updates of the wrong sign: ~1e-3). The attention key biases,
    /// whose exact gradient is zero, may drift apart by up to lr·steps (see WeightDifference).
    static let tolerance: Float = 1e-4
    static let keyBiasTolerance: Float = 1e-3 * Float(steps)
    static let steps = 4

    private func trainedWeights(_ trainer: FlowTrainer) throws -> (
        model: [(name: String, value: [Float])],
        ema: [(name: String, value: [Float])]
    ) {
        let model = trainer.model.namedParameters().map { (name: $0.name, value: $0.variable.value.values) }
        let exported = try trainer.exportModel().network.namedParameters().map {
            (name: $0.name, value: $0.variable.value.values)
        }
        return (model, exported)
    }

    private func checkRanks(_ size: Int, batch: Int) throws {
        let alone = try makeTinyFlowTrainer(batch: batch)
        try TrainingLoop(trainer: alone, budget: TrainingBudget(steps: Self.steps)).run()
        let reference = try trainedWeights(alone)

        let ranks = try onThreadRanks(size) {
            group -> ([(name: String, value: [Float])], [(name: String, value: [Float])], Double) in
            let trainer = try makeTinyFlowTrainer(batch: batch)
            try trainer.join(group)
            var lastLoss = 0.0
            try TrainingLoop(trainer: trainer, budget: TrainingBudget(steps: Self.steps)).run(onStep: {
                lastLoss = $0.loss
            })
            let weights = try self.trainedWeights(trainer)
            return (weights.model, weights.ema, lastLoss)
        }
        for (rank, result) in ranks.enumerated() {
            let same = WeightDifference(result.0, ranks[0].0)
            XCTAssertEqual([same.weights, same.keyBiases], [0, 0], "rank \(rank) and rank 0 hold the same weights")
            for (what, difference) in [
                ("weights", WeightDifference(result.0, reference.model)),
                ("EMA", WeightDifference(result.1, reference.ema)),
            ] {
                XCTAssertLessThan(difference.weights, Self.tolerance, "\(size) ranks, batch \(batch): \(what)")
                XCTAssertLessThan(
                    difference.keyBiases, Self.keyBiasTolerance, "\(size) ranks, batch \(batch): \(what), key biases")
            }
        }
        // Moving at all: the comparison would be empty if training changed nothing.
        let initial = try makeTinyFlowTrainer(batch: batch).model.namedParameters().map {
            (name: $0.name, value: $0.variable.value.values)
        }
        XCTAssertGreaterThan(WeightDifference(initial, reference.model).weights, 10 * Self.tolerance)
    }

    func testTwoRanksTrainAsOneProcess() throws {
        try checkRanks(2, batch: 6)
    }

    func testUnevenShardsAreWeightedByTheirSize() throws {
        // 7 rows over 3 ranks: 2, 2 and 3.
        try checkRanks(3, batch: 7)
    }

    func testRanksThatStartDifferentlyAreRefused() throws {
        XCTAssertThrowsError(
            try onThreadRanks(2) { group in
                let trainer = try makeTinyFlowTrainer(batch: group.rank == 0 ? 6 : 6)
                if group.rank == 1 { trainer.model.namedParameters()[0].variable.value.unsafePointer[0] += 1 }
                try trainer.join(group)
            }
        ) { error in
            XCTAssertTrue(String(describing: error).contains("rank 1 of 2 has a different network"), "\(error)")
        }
    }
}
