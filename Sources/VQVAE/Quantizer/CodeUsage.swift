import Foundation

/// How often each code of each level was chosen, accumulated over batches: the codebooks'
/// health (used fraction, perplexity) and the entropy of the codes.
public struct CodeUsage: Equatable, Sendable {
    /// counts[level][code].
    public private(set) var counts: [[Int]]

    public init(levels: Int, codebookSize: Int) {
        counts = Array(repeating: Array(repeating: 0, count: codebookSize), count: levels)
    }

    /// Usage from counts[level][code] (e.g. summed over data-parallel ranks).
    public init(counts: [[Int]]) {
        self.counts = counts
    }

    /// Adds codes laid out [N, L, H, W] (L = `levels`, the planes present).
    public mutating func add(codes: [Int32], count: Int, levels: Int) {
        guard count > 0, levels > 0 else { return }
        precondition(
            levels <= counts.count && codes.count % (count * levels) == 0,
            "CodeUsage.add: \(codes.count) codes are not \(count) images × \(levels) levels")
        let plane = codes.count / (count * levels)
        for image in 0..<count {
            for level in 0..<levels {
                let start = (image * levels + level) * plane
                for i in start..<(start + plane) { counts[level][Int(codes[i])] += 1 }
            }
        }
    }

    public mutating func add(level: Int, codes: [Int32]) {
        for code in codes { counts[level][Int(code)] += 1 }
    }

    public func total(level: Int) -> Int { counts[level].reduce(0, +) }

    /// Codes chosen at least once.
    public func usedCodes(level: Int) -> Int { counts[level].filter { $0 > 0 }.count }

    public func usedFraction(level: Int) -> Double {
        counts[level].isEmpty ? 0 : Double(usedCodes(level: level)) / Double(counts[level].count)
    }

    /// Entropy of the code distribution in bits.
    public func entropyBits(level: Int) -> Double {
        let total = Double(self.total(level: level))
        guard total > 0 else { return 0 }
        var h = 0.0
        for n in counts[level] where n > 0 {
            let p = Double(n) / total
            h -= p * log2(p)
        }
        return h
    }

    /// 2^entropy: the number of equally used codes with the same entropy (K when all are equal).
    public func perplexity(level: Int) -> Double { pow(2, entropyBits(level: level)) }
}
