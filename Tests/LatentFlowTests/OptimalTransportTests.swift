import LatentFlow
import TensorCore
import XCTest

final class OptimalTransportTests: XCTestCase {
    /// Every permutation of 0..<n.
    func permutations(_ n: Int) -> [[Int]] {
        guard n > 0 else { return [[]] }
        var result: [[Int]] = []
        for rest in permutations(n - 1) {
            for position in 0...rest.count {
                var p = rest
                p.insert(n - 1, at: position)
                result.append(p)
            }
        }
        return result
    }

    func testAssignmentEqualsBruteForceOnSmallProblems() {
        var generator = SeededGenerator(seed: 11)
        for n in 1...7 {
            let all = permutations(n)
            for trial in 0..<12 {
                // Integer costs with ties (trial odd) and continuous ones.
                let cost = (0..<(n * n)).map { _ in
                    trial % 2 == 1 ? Double(generator.integer(below: 5)) : Double(generator.uniform(-3, 10))
                }
                let best = all.map { LinearAssignment.totalCost(cost, size: n, assignment: $0) }.min()!
                let assignment = LinearAssignment.solve(cost: cost, size: n)
                XCTAssertEqual(Set(assignment), Set(0..<n), "a permutation, n = \(n)")
                XCTAssertEqual(LinearAssignment.totalCost(cost, size: n, assignment: assignment), best, accuracy: 1e-9,
                               "n = \(n), trial \(trial)")
            }
        }
    }

    func testNonFiniteCostsGiveTheIdentity() {
        XCTAssertEqual(LinearAssignment.solve(cost: [1, .nan, 0, 1], size: 2), [0, 1])
        XCTAssertEqual(LinearAssignment.solve(cost: [], size: 0), [])
    }

    func testPairingMatchesBruteForceOnSquaredDistances() {
        var generator = SeededGenerator(seed: 3)
        let data = Initialization.normal(shape: [6, 2, 3, 3], generator: &generator)
        let noise = Initialization.normal(shape: [6, 2, 3, 3], generator: &generator)
        let order = MinibatchOptimalTransport.noiseOrder(data: data, noise: noise)
        var direct = [Double]()
        for i in 0..<6 {
            for j in 0..<6 {
                var d = 0.0
                for k in 0..<18 {
                    let e = Double(data.values[i * 18 + k] - noise.values[j * 18 + k])
                    d += e * e
                }
                direct.append(d)
            }
        }
        let best = permutations(6).map { LinearAssignment.totalCost(direct, size: 6, assignment: $0) }.min()!
        XCTAssertEqual(LinearAssignment.totalCost(direct, size: 6, assignment: order), best, accuracy: 1e-3)
        let identity = LinearAssignment.totalCost(direct, size: 6, assignment: Array(0..<6))
        XCTAssertLessThanOrEqual(best, identity)
        let gemmCosts = MinibatchOptimalTransport.squaredDistances(data: data, noise: noise)
        for (a, b) in zip(gemmCosts, direct) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }

    /// Only the noise is reordered: the paired noise holds the same rows, the data is untouched.
    func testPairedNoiseIsAPermutationOfTheNoiseRows() {
        var generator = SeededGenerator(seed: 4)
        let data = Initialization.normal(shape: [8, 1, 2, 2], generator: &generator)
        let noise = Initialization.normal(shape: [8, 1, 2, 2], generator: &generator)
        let paired = MinibatchOptimalTransport.pairedNoise(data: data, noise: noise)
        let rows = { (t: Tensor) in (0..<8).map { Array(t.values[($0 * 4)..<($0 * 4 + 4)]) } }
        XCTAssertEqual(Set(rows(paired).map { $0.description }), Set(rows(noise).map { $0.description }))
        let order = MinibatchOptimalTransport.noiseOrder(data: data, noise: noise)
        XCTAssertEqual(rows(paired), order.map { rows(noise)[$0] })
    }
}
