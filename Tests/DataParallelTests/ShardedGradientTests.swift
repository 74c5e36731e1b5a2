import DataParallel
import LatentFlow
import TensorCore
import XCTest

/// The averaged gradient itself, before any optimizer: ranks (threads) holding uneven shards of a
/// global batch end with the gradient of the whole batch's mean loss. Unlike weights after AdamW
/// steps (which normalise gradients, hiding a wrong overall scale), this sees every weighting error.
final class ShardedGradientTests: XCTestCase {
    /// Relative to the largest gradient element: float summation order only (measured ≈1e-7).
    static let tolerance: Float = 1e-5

    private struct Problem {
        let network: VelocityUNet
        let x: Tensor, target: Tensor
        let times: [Float], classes: [Int]

        init() {
            var generator = SeededGenerator(seed: 4)
            network = VelocityUNet(
                UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1),
                generator: &generator)
            x = Initialization.normal(shape: [7, 2, 8, 8], generator: &generator)
            target = Initialization.normal(shape: [7, 2, 8, 8], generator: &generator)
            times = (0..<7).map { _ in generator.uniform() }
            classes = (0..<7).map { $0 % 4 }
        }

        func loss(rows: Range<Int>) -> Variable {
            mseLoss(
                network(Variable(x.rows(rows)), times: Array(times[rows]), classes: Array(classes[rows])),
                Variable(target.rows(rows)))
        }

        var gradients: [[Float]] { network.namedParameters().map { $0.variable.grad?.values ?? [] } }
    }

    func testUnevenShardsAddUpToTheWholeBatchGradient() throws {
        let whole = Problem()
        whole.loss(rows: 0..<7).backward()
        let expected = whole.gradients
        let scale = expected.joined().map(abs).max()!

        // 7 rows over 3 ranks: 2, 2 and 3; each pass twice, the second with the learned bucket order.
        let perRank = try onThreadRanks(3) { group -> [[Float]] in
            let problem = Problem()
            let rows = group.shard(of: 7)
            let parameters = problem.network.namedParameters().map(\.variable)
            for _ in 0..<2 {
                for parameter in parameters { parameter.grad = nil }
                try group.backwardAveragingGradients(
                    problem.loss(rows: rows), parameters: parameters,
                    weight: Double(rows.count) / 7)
            }
            return problem.gradients
        }
        for (rank, gradients) in perRank.enumerated() {
            XCTAssertEqual(gradients, perRank[0], "rank \(rank) holds rank 0's gradients")
            var largest: Float = 0
            for (g, e) in zip(gradients, expected) {
                XCTAssertEqual(g.count, e.count)
                for (a, b) in zip(g, e) { largest = max(largest, abs(a - b)) }
            }
            XCTAssertLessThan(largest / scale, Self.tolerance, "rank \(rank)")
        }
    }
}
