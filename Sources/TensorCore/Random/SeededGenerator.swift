import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The whole project draws its randomness from this type so that a seed fixes a run:
/// the same seed gives the same numbers on every machine and every run, and the full
/// state can be saved in a checkpoint and restored to continue the exact sequence.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// A second normal deviate left over from the last Box–Muller pair.
    private var spareNormal: Float?

    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from `stateWords` (as saved by `stateWords`); nil if they are not a saved state.
    public init?(stateWords: [UInt64]) {
        guard stateWords.count == 6 else { return nil }
        state = (stateWords[0], stateWords[1], stateWords[2], stateWords[3])
        spareNormal = stateWords[4] != 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: stateWords[5])) : nil
    }

    /// The complete state as plain words (including a pending spare normal deviate), for checkpoints.
    public var stateWords: [UInt64] {
        [state.0, state.1, state.2, state.3, spareNormal == nil ? 0 : 1, UInt64(spareNormal?.bitPattern ?? 0)]
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool {
        a.stateWords == b.stateWords && a.spareNormal == b.spareNormal
    }

    @inlinable static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededGenerator.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = SeededGenerator.rotl(state.3, 45)
        return result
    }

    /// A derived, independent generator (for a worker thread or a sub-task), leaving this one advanced.
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// Standard normal deviate (Box–Muller; pairs are used in full).
    public mutating func normal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // 1 - u keeps the argument of log away from zero.
        let u1 = 1.0 - Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// Uniform integer in 0..<bound, without modulo bias.
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "integer(below:) needs a positive bound, got \(bound)")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                p.swapAt(i, integer(below: i + 1))
            }
        }
        return p
    }
}
