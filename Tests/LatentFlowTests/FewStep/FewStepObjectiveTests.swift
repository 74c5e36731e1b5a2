import LatentFlow
import TensorCore
import XCTest

/// The draws of `FewStepObjective.make`: over many seeds every self-consistency row is a step the
/// sampler can take (inside [0, 1], a trained size, on the grid of its half steps), its half steps
/// query the network at the half step itself except at the finest one, and the flow-matching rows
/// have step size 0.
final class FewStepObjectiveTests: XCTestCase {
    /// Records every query of the self-consistency target and answers zero velocities.
    final class RecordingModel: StepConditionedVelocityModel {
        let nullClass = 2
        var queries: [(times: [Float], stepSizes: [Float])] = []

        func velocity(_ x: Tensor, times: [Float], classes: [Int], stepSizes: [Float]) -> Tensor {
            queries.append((times, stepSizes))
            return Tensor(zeros: x.shape)
        }
    }

    func testSelfConsistencyDrawsAreStepsTheSamplerTakes() throws {
        let (batchSize, maximumSteps) = (16, 64)
        var generator = SeededGenerator(seed: 1)
        let pairs = try ReflowPairs(
            noise: Initialization.normal(shape: [batchSize, 1, 2, 2], generator: &generator),
            endpoints: Initialization.normal(shape: [batchSize, 1, 2, 2], generator: &generator),
            classes: (0..<batchSize).map { $0 % 3 })
        let batch = try ReflowPairBatches(
            pairs: pairs, statistics: ChannelStatistics(mean: [0], std: [1]), batchSize: batchSize, seed: 0
        ).batch(forStep: 0)
        var config = FewStepTrainingConfig()
        config.maximumSteps = maximumSteps
        let trained = Set((0...6).map { 1 / Float(1 << $0) })  // 1, 1/2, …, 1/64
        var sizesSeen: Set<Float> = [], finestQueried = 0

        for seed in 0..<300 {
            var draws = SeededGenerator(seed: UInt64(seed))
            let model = RecordingModel()
            let objective = FewStepObjective.make(batch, config: config, network: model, generator: &draws)
            let sizes = try XCTUnwrap(objective.stepSizes)
            let matching = objective.flowMatchingCount
            XCTAssertEqual(matching, batchSize - 4, "a quarter of 16 trains self-consistency")
            XCTAssertEqual(Array(sizes[..<matching]), Array(repeating: 0, count: matching), "seed \(seed)")

            // The target's two half steps: the first at the row's own time, the second d/2 later.
            XCTAssertEqual(model.queries.count, 2, "seed \(seed)")
            let first = model.queries[0]
            XCTAssertEqual(first.times, Array(objective.times[matching...]), "seed \(seed)")
            for (row, i) in (matching..<batchSize).enumerated() {
                let (t, d) = (objective.times[i], sizes[i])
                let half = d / 2
                sizesSeen.insert(d)
                XCTAssertTrue(trained.contains(d), "seed \(seed), row \(i): step size \(d)")
                XCTAssertLessThanOrEqual(t + d, 1, "seed \(seed), row \(i): t \(t), d \(d)")
                XCTAssertGreaterThanOrEqual(t, 0, "seed \(seed), row \(i)")
                let slots = t / half
                XCTAssertEqual(slots, slots.rounded(), "seed \(seed), row \(i): t \(t) not a multiple of d/2 = \(half)")
                XCTAssertEqual(model.queries[1].times[row], t + half, "seed \(seed), row \(i)")
                let query = first.stepSizes[row]
                XCTAssertEqual(query, model.queries[1].stepSizes[row], "both half steps ask the same size")
                if half == 1 / Float(2 * maximumSteps) {
                    XCTAssertEqual(query, 0, "seed \(seed), row \(i): the finest half step is the velocity")
                    finestQueried += 1
                } else {
                    XCTAssertEqual(query, half, "seed \(seed), row \(i): d/2 \(half) is a trained step")
                }
            }
        }
        XCTAssertEqual(sizesSeen, trained, "every trained step size is drawn")
        XCTAssertGreaterThan(finestQueried, 0)
    }

    /// A shortcut batch too small for its self-consistency share to give a row is refused, naming
    /// both settings; a fraction of 0 is refused alike (it would train no step size at all).
    func testAShortcutBatchWithoutSelfConsistencyRowsIsRefused() throws {
        var config = FewStepTrainingConfig()
        XCTAssertNoThrow(try config.validate(batchSize: 4))
        XCTAssertThrowsError(try config.validate(batchSize: 3)) { error in
            XCTAssertTrue("\(error)".contains("fraction of 0.25 (--self-consistency) of a batch of 3"), "\(error)")
        }
        config.selfConsistencyFraction = 0
        XCTAssertThrowsError(try config.validate(batchSize: 64))
        config.method = .reflow
        XCTAssertNoThrow(try config.validate(batchSize: 3), "reflow has no self-consistency rows")
    }
}
