import TensorCore

/// Derives independent random streams from one user seed and a path of integers (metric,
/// level, image index, …). Each stream depends only on its path, never on the order in which
/// work is done or on the number of threads, so every metric is reproducible given its seed.
enum SeedMixing {
    /// A SplitMix64-style finaliser over the seed and each component in turn.
    static func mix(_ seed: UInt64, _ path: [UInt64]) -> UInt64 {
        var h = seed ^ 0x6A09_E667_F3BC_C908
        for component in path {
            h = finalize(h &+ 0x9E37_79B9_7F4A_7C15 &+ finalize(component ^ 0xBB67_AE85_84CA_A73B))
        }
        return finalize(h)
    }

    static func generator(_ seed: UInt64, _ path: UInt64...) -> SeededGenerator {
        SeededGenerator(seed: mix(seed, path))
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Stream tags, so that two metrics given the same seed still draw unrelated numbers.
enum StreamTag: UInt64 {
    case swdPatches = 1
    case swdDirections = 2
    case kidSubsets = 3
    case pixelSubsample = 4
}

extension SeededGenerator {
    /// `count` distinct indices from 0..<population, in random order (partial Fisher–Yates).
    mutating func sample(_ count: Int, from population: Int) -> [Int] {
        precondition(count <= population, "sample: \(count) of \(population)")
        var pool = Array(0..<population)
        for i in 0..<count {
            pool.swapAt(i, i + integer(below: population - i))
        }
        return Array(pool.prefix(count))
    }
}
