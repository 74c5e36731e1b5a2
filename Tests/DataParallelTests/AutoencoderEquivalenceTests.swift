import DataParallel
import TensorCore
import VQVAE
import XCTest

/// N ranks (threads) training the autoencoder against one process on the same global batches:
/// after k steps (k-means start, quantizer dropout, restarts, the discriminator and its generated
/// pictures, clipping, AdamW, EMA) the same weights, averages, discriminator and codebooks.
final class AutoencoderEquivalenceTests: XCTestCase {
    static let steps = 5
    static let discriminatorLearningRate = tinyDiscriminatorLearningRate
    /// Weights, averages and discriminator: a tenth of the learning rate, as for the flow
    /// (ThreadedEquivalenceTests): AdamW turns last-bit differences of the summed gradients into
    /// update differences of up to ~1e-5 (measured, see docs/distributed.md). Attention key biases,
    /// whose exact gradient is zero, within lr·steps.
    static let tolerance: Float = 1e-4
    static let keyBiasTolerance: Float = 1e-3 * Float(steps)
    /// Codebooks and their statistics: they follow the encoder's latents, whose weights agree to
    /// the tolerance above; the assignments and restarts are the same.
    static let codebookTolerance: Float = 1e-4
    /// The discriminator's logit bias: while every patch score lies in (−1, 1) its hinge-loss
    /// gradient is (fake fraction − real fraction) = 0 exactly, so, like the key biases, AdamW
    /// moves it by rounding noise, up to its learning rate per step in either direction.
    static let logitBiasName = "logits.bias"
    static let logitBiasTolerance = Float(2 * discriminatorLearningRate) * Float(steps)
    /// The adversarial terms (and the loss) move with that bias: by the term's weight times it.
    static let adversarialTermTolerance = 0.1 * Double(logitBiasTolerance)

    typealias Named = [(name: String, value: [Float])]

    struct State {
        var weights: Named
        var averages: Named
        var discriminator: Named
        var codebooks: Named
        var lastReport: AutoencoderStepReport?
    }

    private static func state(_ trainer: AutoencoderTrainer, last: AutoencoderStepReport?) -> State {
        let averages = trainer.ema!.averagesByName()
        let buffers = trainer.model.quantizer.buffers()
        return State(
            weights: trainer.model.namedParameters().map { ($0.name, $0.variable.value.values) },
            averages: averages.keys.sorted().map { ($0, averages[$0]!.values) },
            discriminator: trainer.discriminator!.namedParameters().map { ($0.name, $0.variable.value.values) },
            codebooks: buffers.keys.sorted().map { ($0, buffers[$0]!.values) }, lastReport: last)
    }

    private static func largestDifference(_ a: Named, _ b: Named) -> Float {
        zip(a, b).map { x, y in zip(x.value, y.value).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }

    private static func train(_ trainer: AutoencoderTrainer) throws -> State {
        var last: AutoencoderStepReport?
        try TrainingLoop(trainer: trainer, budget: TrainingBudget(steps: steps)).run(onStep: { last = $0 })
        return state(trainer, last: last)
    }

    private func checkRanks(_ size: Int, batch: Int, generated: Int) throws {
        let reference = try Self.train(makeTinyAutoencoderTrainer(batch: batch, generated: generated))
        let ranks = try onThreadRanks(size) { group -> State in
            let trainer = makeTinyAutoencoderTrainer(batch: batch, generated: generated)
            try trainer.join(group)
            return try Self.train(trainer)
        }
        let label = "\(size) ranks, batch \(batch), \(generated) generated"
        func withoutLogitBias(_ named: Named) -> Named { named.filter { $0.name != Self.logitBiasName } }
        func logitBias(_ named: Named) -> [Float] { named.first { $0.name == Self.logitBiasName }!.value }
        for (rank, state) in ranks.enumerated() {
            for (what, mine, theirs) in [
                ("weights", state.weights, ranks[0].weights), ("EMA", state.averages, ranks[0].averages),
                ("discriminator", state.discriminator, ranks[0].discriminator),
                ("codebooks", state.codebooks, ranks[0].codebooks),
            ] {
                XCTAssertEqual(Self.largestDifference(mine, theirs), 0, "\(label): rank \(rank) has rank 0's \(what)")
            }
            for (what, mine, theirs) in [
                ("weights", state.weights, reference.weights), ("EMA", state.averages, reference.averages),
                ("discriminator", withoutLogitBias(state.discriminator), withoutLogitBias(reference.discriminator)),
            ] {
                let difference = WeightDifference(mine, theirs)
                XCTAssertLessThan(difference.weights, Self.tolerance, "\(label): \(what)")
                XCTAssertLessThan(difference.keyBiases, Self.keyBiasTolerance, "\(label): \(what), key biases")
            }
            XCTAssertLessThan(
                zip(logitBias(state.discriminator), logitBias(reference.discriminator)).map { abs($0 - $1) }.max()!,
                Self.logitBiasTolerance, "\(label): discriminator logit bias")
            XCTAssertLessThan(
                Self.largestDifference(state.codebooks, reference.codebooks), Self.codebookTolerance,
                "\(label): codebooks")
            // The step report is the global batch's.
            let mine = try XCTUnwrap(state.lastReport), theirs = try XCTUnwrap(reference.lastReport)
            XCTAssertEqual(mine.samples, batch)
            XCTAssertEqual(mine.restarts, theirs.restarts, label)
            XCTAssertEqual(mine.perplexity, theirs.perplexity, label)
            XCTAssertEqual(
                mine.loss, theirs.loss, accuracy: 1e-4 * abs(theirs.loss) + 2 * Self.adversarialTermTolerance, label)
            XCTAssertEqual(mine.psnr, theirs.psnr, accuracy: 1e-3, label)
            XCTAssertEqual(Set(mine.terms.keys), Set(theirs.terms.keys), label)
            for (name, value) in theirs.terms {
                let margin = name.hasPrefix("adversarial") ? Self.adversarialTermTolerance : 0
                XCTAssertEqual(
                    mine.terms[name]!, value, accuracy: 1e-4 * max(abs(value), 1e-3) + margin, "\(label): \(name)")
            }
        }
        // Moving at all, and through every part: the comparisons would be empty otherwise.
        let initial = makeTinyAutoencoderTrainer(batch: batch, generated: generated)
        let start = Self.state(initial, last: nil)
        XCTAssertGreaterThan(WeightDifference(start.weights, reference.weights).weights, 10 * Self.tolerance)
        XCTAssertGreaterThan(
            WeightDifference(start.discriminator, reference.discriminator).weights, 10 * Self.tolerance)
        XCTAssertGreaterThan(Self.largestDifference(start.codebooks, reference.codebooks), 10 * Self.codebookTolerance)
        XCTAssertNotNil(reference.lastReport?.terms["adversarial_generated"])
        XCTAssertNotNil(reference.lastReport?.terms["discriminator_hinge"])
    }

    func testTwoRanksTrainAsOneProcess() throws {
        try checkRanks(2, batch: 6, generated: 4)
    }

    func testUnevenShardsAreWeightedByTheirSize() throws {
        // 8 images over 3 ranks: 2, 3 and 3; 4 generated latents: 1, 1 and 2.
        try checkRanks(3, batch: 8, generated: 4)
    }

    func testRanksWithOtherCodebooksAreRefused() throws {
        XCTAssertThrowsError(
            try onThreadRanks(2) { group in
                let trainer = makeTinyAutoencoderTrainer(batch: 6, generated: 2)
                _ = try trainer.trainStep()
                _ = try trainer.trainStep()
                if group.rank == 1 {
                    let buffers = trainer.model.quantizer.buffers()
                    var changed = buffers
                    let name = "rvq.levels.0.codebook"
                    let codebook = buffers[name]!
                    changed[name] = Tensor(shape: codebook.shape, values: codebook.values.map { $0 + 1 })
                    try trainer.model.quantizer.loadBuffers(changed, source: "test")
                }
                try trainer.join(group)
            }
        ) { error in
            XCTAssertTrue(
                String(describing: error).contains("rank 1 of 2 has a different network, codebooks"), "\(error)")
        }
    }
}
