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
                XCTAssertEqual(
                    LinearAssignment.totalCost(cost, size: n, assignment: assignment), best, accuracy: 1e-9,
                    "n = \(n), trial \(trial)")
            }
        }
    }

    func testNonFiniteCostsGiveTheIdentity() {
        XCTAssertEqual(LinearAssignment.solve(cost: [1, .nan, 0, 1], size: 2), [0, 1])
        XCTAssertEqual(LinearAssignment.solve(cost: [], size: 0), [])
    }

    func testPairingMatchesBruteForceOnSquaredDistances() throws {
        var generator = SeededGenerator(seed: 3)
        let data = Initialization.normal(shape: [6, 2, 3, 3], generator: &generator)
        let noise = Initialization.normal(shape: [6, 2, 3, 3], generator: &generator)
        let order = try MinibatchOptimalTransport.noiseOrder(data: data, noise: noise)
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
        let costs = MinibatchOptimalTransport.squaredDistances(data: data, noise: noise)
        for (a, b) in zip(costs, direct) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }

    /// Only the noise is reordered: the paired noise holds the same rows, the data is untouched.
    func testPairedNoiseIsAPermutationOfTheNoiseRows() throws {
        var generator = SeededGenerator(seed: 4)
        let data = Initialization.normal(shape: [8, 1, 2, 2], generator: &generator)
        let noise = Initialization.normal(shape: [8, 1, 2, 2], generator: &generator)
        let paired = try MinibatchOptimalTransport.pairedNoise(data: data, noise: noise)
        let rows = { (t: Tensor) in (0..<8).map { Array(t.values[($0 * 4)..<($0 * 4 + 4)]) } }
        XCTAssertEqual(Set(rows(paired).map { $0.description }), Set(rows(noise).map { $0.description }))
        let order = try MinibatchOptimalTransport.noiseOrder(data: data, noise: noise)
        XCTAssertEqual(rows(paired), order.map { rows(noise)[$0] })
    }

    /// With labels, every data row is paired with noise drawn at a row of its own class, and the
    /// pairing is the best one within each class.
    func testLabelledPairingNeverCrossesClasses() throws {
        var generator = SeededGenerator(seed: 6)
        let labels = [2, 0, 1, 0, 2, 2, 1, 0, 0, 1, 2, 0]
        // The classes sit far apart, so a pairing over the whole batch would swap noise between them.
        let data = Initialization.normal(shape: [12, 1, 2, 2], generator: &generator)
            .addingRowOffsets(labels.map { Float($0 - 1) * 2 })
        let noise = Initialization.normal(shape: [12, 1, 2, 2], generator: &generator)
        let whole = try MinibatchOptimalTransport.noiseOrder(data: data, noise: noise)
        XCTAssertTrue(zip(whole.indices, whole).contains { labels[$0] != labels[$1] }, "the check below can fail")
        let order = try MinibatchOptimalTransport.noiseOrder(data: data, noise: noise, labels: labels)
        XCTAssertEqual(order.sorted(), Array(0..<12))
        for (i, j) in order.enumerated() { XCTAssertEqual(labels[i], labels[j], "row \(i) paired with noise row \(j)") }
        let cost = MinibatchOptimalTransport.squaredDistances(data: data, noise: noise)
        for label in 0..<3 {
            let rows = labels.indices.filter { labels[$0] == label }
            let sub = rows.flatMap { i in rows.map { j in cost[i * 12 + j] } }
            let best = permutations(rows.count).map {
                LinearAssignment.totalCost(sub, size: rows.count, assignment: $0)
            }.min()!
            let chosen = rows.enumerated().reduce(0.0) { $0 + cost[$1.element * 12 + order[$1.element]] }
            XCTAssertEqual(chosen, best, accuracy: 1e-9, "class \(label)")
        }
        XCTAssertThrowsError(try MinibatchOptimalTransport.noiseOrder(data: data, noise: noise, labels: [0, 1]))
    }

    /// Data far from the origin (a latent channel with a large mean, before standardisation):
    /// ‖a‖² + ‖b‖² − 2ab in float32 loses the distances, which are small against the norms.
    func testDistancesAreExactWhereTheNormFormCancels() {
        let d = 64
        var generator = SeededGenerator(seed: 7)
        let data = Tensor(shape: [3, d], values: (0..<(3 * d)).map { _ in 1000 + 0.01 * generator.normal() })
        let noise = Tensor(shape: [3, d], values: (0..<(3 * d)).map { _ in 1000 + 0.01 * generator.normal() })
        let costs = MinibatchOptimalTransport.squaredDistances(data: data, noise: noise)
        for i in 0..<3 {
            for j in 0..<3 {
                var exact = 0.0
                for k in 0..<d {
                    let e = Double(data.values[i * d + k]) - Double(noise.values[j * d + k])
                    exact += e * e
                }
                // About 0.0128 (64 differences of variance 2e-4); the norms are 6.4e7.
                XCTAssertEqual(costs[i * 3 + j], exact, accuracy: exact * 1e-9, "pair \(i), \(j)")
            }
        }
    }
}

private extension Tensor {
    /// Each row plus its own constant.
    func addingRowOffsets(_ offsets: [Float]) -> Tensor {
        let per = count / shape[0]
        return Tensor(shape: shape, values: values.enumerated().map { $0.element + offsets[$0.offset / per] })
    }
}
