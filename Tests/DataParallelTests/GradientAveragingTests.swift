import DataParallel
import LatentFlow
import TensorCore
import XCTest

/// One rank whose allreduce stands for `size` identical ranks (it multiplies by `size`), and
/// which records, at every call, its length and how many parameters had a gradient yet.
private final class MirroredRanksCommunicator: Communicator {
    let rank = 0
    let size: Int
    let allowsBackgroundReductions = false
    var parameters: [Variable] = []
    var calls: [(length: Int, gradientsSoFar: Int)] = []

    init(size: Int) { self.size = size }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        calls.append((buffer.count, parameters.filter { $0.grad != nil }.count))
        for i in buffer.indices { buffer[i] *= Float(size) }
    }
    func allreduceSum(_ values: inout [Double]) throws { values = values.map { $0 * Double(size) } }
    func allreduceMax(_ values: inout [Double]) throws {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func barrier() throws {}
}

final class GradientAveragingTests: XCTestCase {
    private func tinyNetwork() -> (network: VelocityUNet, loss: () -> Variable) {
        var generator = SeededGenerator(seed: 1)
        let network = VelocityUNet(
            UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1),
            generator: &generator)
        let x = Initialization.normal(shape: [3, 2, 8, 8], generator: &generator)
        let target = Initialization.normal(shape: [3, 2, 8, 8], generator: &generator)
        return (
            network, { mseLoss(network(Variable(x), times: [0.1, 0.5, 0.9], classes: [0, 1, 3]), Variable(target)) }
        )
    }

    func testAveragedGradientsOfIdenticalRanksAreTheLocalOnes() throws {
        let (network, loss) = tinyNetwork()
        let parameters = network.namedParameters().map(\.variable)
        loss().backward()
        let expected = parameters.map { $0.grad?.values }
        for parameter in parameters { parameter.grad = nil }

        let communicator = MirroredRanksCommunicator(size: 4)
        let group = DataParallelGroup(communicator: communicator, bucketCapacityBytes: 8 << 10)
        // Each of 4 identical ranks holds a quarter of the batch: ×¼, then summed over 4 ranks.
        try group.backwardAveragingGradients(loss(), parameters: parameters, weight: 0.25)
        XCTAssertEqual(parameters.map { $0.grad?.values }, expected)
        XCTAssertGreaterThan(communicator.calls.count, 2, "several buckets")
        XCTAssertEqual(group.statistics.steps, 1)
    }

    func testAfterTheFirstPassBucketsAreReducedWhileBackwardRuns() throws {
        let (network, loss) = tinyNetwork()
        let parameters = network.namedParameters().map(\.variable)
        let communicator = MirroredRanksCommunicator(size: 2)
        communicator.parameters = parameters
        let group = DataParallelGroup(communicator: communicator, bucketCapacityBytes: 8 << 10)
        // The first pass learns the order in which backward finishes the gradients.
        try group.backwardAveragingGradients(loss(), parameters: parameters, weight: 0.5)
        for parameter in parameters { parameter.grad = nil }
        communicator.calls = []
        try group.backwardAveragingGradients(loss(), parameters: parameters, weight: 0.5)
        // Reductions went out while backward still had gradients to compute, and more than once.
        XCTAssertLessThan(communicator.calls[0].gradientsSoFar, parameters.count / 2)
        XCTAssertGreaterThan(communicator.calls.filter { $0.gradientsSoFar < parameters.count }.count, 2)
    }

    func testAParameterWithoutGradientOnEveryRankKeepsNone() throws {
        let (network, loss) = tinyNetwork()
        let unused = Variable(parameter: Tensor(shape: [5], repeating: 1))
        let parameters = network.namedParameters().map(\.variable) + [unused]
        let group = DataParallelGroup(communicator: MirroredRanksCommunicator(size: 2))
        try group.backwardAveragingGradients(loss(), parameters: parameters, weight: 0.5)
        XCTAssertNil(unused.grad)
        XCTAssertNotNil(parameters[0].grad)
    }

    func testShardsCoverTheBatchInRankOrder() {
        for size in 1...4 {
            for count in size...9 {
                let shards = (0..<size).map { rank in
                    DataParallelGroup(communicator: FixedRank(rank: rank, size: size)).shard(of: count)
                }
                XCTAssertEqual(shards.flatMap { Array($0) }, Array(0..<count))
                XCTAssertLessThanOrEqual(shards.map(\.count).max()! - shards.map(\.count).min()!, 1)
            }
        }
    }
}

private final class FixedRank: Communicator {
    let rank: Int, size: Int
    let allowsBackgroundReductions = false
    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    func allreduceSum(_ values: inout [Double]) throws {}
    func allreduceMax(_ values: inout [Double]) throws {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func barrier() throws {}
}
