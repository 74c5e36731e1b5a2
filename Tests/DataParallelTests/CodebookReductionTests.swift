import DataParallel
import TensorCore
import VQVAE
import XCTest

/// The quantizer's training step shared by ranks (threads): the EMA statistics summed over the
/// ranks and the dead-code restarts drawn from the whole batch give every rank the codebooks of
/// one process that saw the whole batch; a rank that updated from its own rows alone would not.
final class CodebookReductionTests: XCTestCase {
    /// The ranks' per-code sums are added in Double in another order than one process adds them;
    /// rounded to Float the codebooks then differ by at most an ulp or so (measured: see the docs).
    static let tolerance: Float = 1e-6

    private static let config: QuantizerConfig = {
        var config = QuantizerConfig(levels: 2, codebookSize: 16, dimension: 4)
        // Codes idle after one step are re-seeded: restarts happen at every step.
        config.deadCodeWindow = 1
        return config
    }()

    /// Latents [7, 4, 3, 3] of step k.
    private static func latents(step: Int) -> Tensor {
        var generator = SeededGenerator(seed: 40 + UInt64(step))
        return Initialization.normal(shape: [7, 4, 3, 3], generator: &generator)
    }

    /// A quantizer started by k-means on step 0's latents, and the generator after the start.
    private static func startedQuantizer() -> (ResidualVectorQuantizer, SeededGenerator) {
        let quantizer = ResidualVectorQuantizer(config)
        var generator = SeededGenerator(seed: 5)
        quantizer.initialize(from: latents(step: 0), generator: &generator)
        return (quantizer, generator)
    }

    private static func largestDifference(_ a: ResidualVectorQuantizer, _ b: ResidualVectorQuantizer) -> Float {
        let x = a.buffers(), y = b.buffers()
        return x.keys.map { name in zip(x[name]!.values, y[name]!.values).map { abs($0 - $1) }.max() ?? 0 }.max()!
    }

    /// Three steps alone on the whole batches, and on 3 ranks holding 2, 2 and 3 of the 7 images.
    func testRanksKeepTheCodebooksOfOneProcess() throws {
        let (alone, started) = Self.startedQuantizer()
        var generator = started
        var restartsAlone: [[Int]] = []
        for step in 1...3 {
            restartsAlone.append(
                alone.trainingStep(Variable(Self.latents(step: step)), generator: &generator).restartedCodes)
        }
        XCTAssertGreaterThan(restartsAlone.joined().reduce(0, +), 0, "the test must exercise restarts")

        let ranks = try onThreadRanks(3) { group -> (ResidualVectorQuantizer, [[Int]]) in
            let (quantizer, started) = Self.startedQuantizer()
            var generator = started
            var restarts: [[Int]] = []
            for step in 1...3 {
                let images = group.shard(of: 7)
                let share = QuantizerBatchShare(group: group, images: images, batchSize: 7)
                let mine = Variable(Self.latents(step: step).rows(images))
                restarts.append(try quantizer.trainingStep(mine, generator: &generator, share: share).restartedCodes)
            }
            return (quantizer, restarts)
        }
        for (rank, (quantizer, restarts)) in ranks.enumerated() {
            XCTAssertEqual(restarts, restartsAlone, "rank \(rank) re-seeds the codes one process does")
            XCTAssertEqual(
                Self.largestDifference(quantizer, ranks[0].0), 0, "rank \(rank) holds rank 0's codebooks exactly")
            XCTAssertLessThan(
                Self.largestDifference(quantizer, alone), Self.tolerance, "rank \(rank) against one process")
        }
    }

    /// Without the reduction a rank's codebooks follow its own rows: far from one process's.
    func testALocalUpdateWouldSetTheRanksApart() {
        let (alone, started) = Self.startedQuantizer()
        var generator = started
        _ = alone.trainingStep(Variable(Self.latents(step: 1)), generator: &generator)

        let (local, localStart) = Self.startedQuantizer()
        var localGenerator = localStart
        _ = local.trainingStep(Variable(Self.latents(step: 1).rows(0..<3)), generator: &localGenerator)
        XCTAssertGreaterThan(Self.largestDifference(local, alone), 1000 * Self.tolerance)
    }
}
