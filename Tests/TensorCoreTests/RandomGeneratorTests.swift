import TensorCore
import XCTest

/// The project's only source of randomness: reproducible, restorable and statistically sound.
final class RandomGeneratorTests: XCTestCase {
    func testSameSeedSameSequenceDifferentSeedDifferent() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        XCTAssertEqual(first, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<100).map { _ in c.next() })
        XCTAssertEqual(Set(first).count, 100)
    }

    /// Restoring the state words continues exactly, including a normal deviate left over from a pair.
    func testStateWordsRestoreContinuesExactlyWithPendingNormal() throws {
        var generator = SeededGenerator(seed: 7)
        _ = generator.normal()  // leaves the second deviate of the pair pending
        let words = generator.stateWords
        XCTAssertEqual(words[4], 1, "a spare normal is pending")
        var restored = try XCTUnwrap(SeededGenerator(stateWords: words))
        XCTAssertEqual(restored, generator)
        for _ in 0..<11 {
            XCTAssertEqual(restored.normal().bitPattern, generator.normal().bitPattern)
            XCTAssertEqual(restored.next(), generator.next())
            XCTAssertEqual(restored.uniform(), generator.uniform())
        }
        // Without the spare the sequence would differ: the restored spare really is used.
        var withoutSpare = try XCTUnwrap(SeededGenerator(stateWords: Array(words[0..<4]) + [0, 0]))
        var again = try XCTUnwrap(SeededGenerator(stateWords: words))
        XCTAssertNotEqual(withoutSpare.normal(), again.normal())

        XCTAssertNil(SeededGenerator(stateWords: [1, 2, 3]))
    }

    func testUniformIsInUnitIntervalWithMeanOneHalf() {
        var generator = SeededGenerator(seed: 1)
        var total = 0.0, low: Float = 1, high: Float = 0
        for _ in 0..<100_000 {
            let u = generator.uniform()
            XCTAssert(u >= 0 && u < 1, "uniform() gave \(u)")
            total += Double(u)
            low = min(low, u)
            high = max(high, u)
        }
        XCTAssertEqual(total / 100_000, 0.5, accuracy: 0.005)
        XCTAssertLessThan(low, 1e-3)
        XCTAssertGreaterThan(high, 1 - 1e-3)
        for _ in 0..<1000 {
            let x = generator.uniform(-2, 3)
            XCTAssert(x >= -2 && x < 3, "uniform(-2, 3) gave \(x)")
        }
    }

    /// 100k standard normal draws: mean ≈ 0 (standard error 0.003), std ≈ 1, and tails as expected.
    func testNormalMomentsAndTails() {
        var generator = SeededGenerator(seed: 2)
        let n = 100_000
        var sum = 0.0, sumSquares = 0.0, beyondTwo = 0
        for _ in 0..<n {
            let x = Double(generator.normal())
            XCTAssert(x.isFinite)
            sum += x
            sumSquares += x * x
            if abs(x) > 2 { beyondTwo += 1 }
        }
        let mean = sum / Double(n)
        let std = (sumSquares / Double(n) - mean * mean).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.015)
        XCTAssertEqual(std, 1, accuracy: 0.015)
        // P(|x| > 2) = 4.55 %.
        XCTAssertEqual(Double(beyondTwo) / Double(n), 0.0455, accuracy: 0.004)
    }

    func testPermutationIsAPermutation() {
        var generator = SeededGenerator(seed: 3)
        for count in [0, 1, 2, 17, 1000] {
            let p = generator.permutation(count)
            XCTAssertEqual(p.sorted(), Array(0..<count))
        }
        let a = generator.permutation(50), b = generator.permutation(50)
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(a, Array(0..<50))
        // Every element lands in the first position about equally often.
        var firstCounts = [Int](repeating: 0, count: 5)
        for _ in 0..<10_000 { firstCounts[generator.permutation(5)[0]] += 1 }
        for c in firstCounts { XCTAssertEqual(Double(c), 2000, accuracy: 200) }
    }

    /// integer(below: 10) over 100k draws: chi-square with 9 degrees of freedom well below the
    /// 0.1 % critical value 27.9; a modulo-biased generator over a non-power-of-two bound shows up here.
    func testIntegerBelowIsInRangeAndUnbiased() {
        var generator = SeededGenerator(seed: 4)
        let bound = 10, n = 100_000
        var counts = [Int](repeating: 0, count: bound)
        for _ in 0..<n {
            let k = generator.integer(below: bound)
            XCTAssert(k >= 0 && k < bound)
            counts[k] += 1
        }
        let expected = Double(n) / Double(bound)
        let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        XCTAssertLessThan(chiSquare, 27.9, "counts \(counts)")

        // Bound 3·2⁶¹ = 3/8 of the 64-bit range: reducing a raw word modulo it would put 56 % of
        // the draws in the lower half of the range instead of 50 %.
        let big = 3 << 61
        var lowerHalf = 0
        for _ in 0..<20_000 {
            let k = generator.integer(below: big)
            XCTAssert(k >= 0 && k < big)
            if k < big / 2 { lowerHalf += 1 }
        }
        XCTAssertEqual(Double(lowerHalf) / 20_000, 0.5, accuracy: 0.02)
        XCTAssertEqual(generator.integer(below: 1), 0)
    }

    func testSplitGivesIndependentReproducibleStreams() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        var childA = a.split(), childB = b.split()
        XCTAssertEqual(childA.next(), childB.next())
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.next(), childA.next())
    }
}
