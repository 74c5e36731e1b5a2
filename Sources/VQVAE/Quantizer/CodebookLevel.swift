import TensorCore

/// One level of the residual quantizer: its codebook and the statistics it is learned from.
///
/// The codebook is not trained by gradients but follows exponential moving averages of the
/// vectors assigned to each code (van den Oord et al. 2017, appendix): per code an EMA of the
/// assignment count and of the sum of the assigned vectors; the code is their ratio, with the
/// counts Laplace-smoothed so that a rarely chosen code never divides by ~0.
public struct CodebookLevel: Equatable, Sendable {
    /// [K, D] code vectors.
    public internal(set) var codebook: Tensor
    /// [K] EMA of how many vectors each code was assigned per step.
    public internal(set) var emaCounts: Tensor
    /// [K, D] EMA of the sum of the vectors assigned to each code.
    public internal(set) var emaSums: Tensor
    /// [K] consecutive training steps in which the code was not chosen (whole numbers as floats,
    /// so that they are stored with the other buffers).
    public internal(set) var idleSteps: Tensor

    public var codeCount: Int { codebook.shape[0] }
    public var dimension: Int { codebook.shape[1] }

    /// A level with all codes at zero and empty statistics.
    public init(codes: Int, dimension: Int) {
        codebook = Tensor(zeros: [codes, dimension])
        emaCounts = Tensor(zeros: [codes])
        emaSums = Tensor(zeros: [codes, dimension])
        idleSteps = Tensor(zeros: [codes])
    }

    /// A level from stored buffers (shapes checked by the caller).
    public init(codebook: Tensor, emaCounts: Tensor, emaSums: Tensor, idleSteps: Tensor) {
        self.codebook = codebook
        self.emaCounts = emaCounts
        self.emaSums = emaSums
        self.idleSteps = idleSteps
    }

    /// The nearest-code search over the current codebook.
    public var search: NearestCodeSearch { NearestCodeSearch(codebook: codebook) }

    /// Starts the codebook at k-means centroids of `vectors` ([M, D]) and the statistics at the
    /// cluster sizes, as if the codebook had always been there.
    public mutating func initialize(fromKMeans vectors: Tensor, iterations: Int, generator: inout SeededGenerator) {
        let result = KMeans.fit(vectors, clusters: codeCount, iterations: iterations, generator: &generator)
        codebook = result.centroids
        emaCounts = Tensor(shape: [codeCount], values: result.sizes.map(Float.init))
        var sums = result.centroids
        sums.withUnsafeMutablePointer { s in
            for k in 0..<codeCount {
                for d in 0..<dimension { s[k * dimension + d] *= Float(result.sizes[k]) }
            }
        }
        emaSums = sums
        idleSteps = Tensor(zeros: [codeCount])
    }

    /// One EMA step from the vectors ([M, D]) quantized at this level and the codes they got:
    /// `N_k ← γN_k + (1−γ)n_k`, `S_k ← γS_k + (1−γ)Σ_{x→k} x`, then
    /// `c_k = S_k / ((N_k + ε)/(N + Kε)·N)` with `N = Σ_k N_k`.
    /// Also counts how long each code has been idle.
    public mutating func applyEMA(vectors: Tensor, codes: [Int32], decay: Double, epsilon: Double) {
        applyEMA(batchStatistics(vectors: vectors, codes: codes), decay: decay, epsilon: epsilon)
    }

    /// This batch's per-code counts and sums of the `vectors` ([M, D]) assigned to each code: what
    /// an EMA step learns from (data-parallel ranks sum theirs before the step).
    public func batchStatistics(vectors: Tensor, codes: [Int32]) -> CodebookBatchStatistics {
        let k = codeCount, d = dimension
        precondition(
            vectors.rank == 2 && vectors.shape[1] == d && vectors.shape[0] == codes.count,
            "CodebookLevel.applyEMA: \(codes.count) codes for vectors \(vectors.shape), dimension \(d)")
        // Batch statistics in Double: thousands of vectors may go to one code.
        var statistics = CodebookBatchStatistics(codes: k, dimension: d)
        vectors.withUnsafePointer { x in
            for (i, code) in codes.enumerated() {
                let c = Int(code)
                precondition(c >= 0 && c < k, "CodebookLevel.applyEMA: code \(c) outside 0..<\(k)")
                statistics.counts[c] += 1
                for j in 0..<d { statistics.sums[c * d + j] += Double(x[i * d + j]) }
            }
        }
        return statistics
    }

    /// The EMA step of `applyEMA(vectors:codes:decay:epsilon:)` from a batch's statistics.
    public mutating func applyEMA(_ statistics: CodebookBatchStatistics, decay: Double, epsilon: Double) {
        let k = codeCount, d = dimension
        precondition(
            statistics.counts.count == k && statistics.sums.count == k * d,
            "CodebookLevel.applyEMA: statistics of \(statistics.counts.count) codes for a codebook of \(k)")
        let batchCounts = statistics.counts, batchSums = statistics.sums
        let keep = Float(decay), add = 1 - decay
        emaCounts.withUnsafeMutablePointer { n in
            for c in 0..<k { n[c] = keep * n[c] + Float(add * batchCounts[c]) }
        }
        emaSums.withUnsafeMutablePointer { s in
            for i in 0..<(k * d) { s[i] = keep * s[i] + Float(add * batchSums[i]) }
        }
        var total = 0.0
        emaCounts.withUnsafePointer { n in for c in 0..<k { total += Double(n[c]) } }
        let counts = emaCounts, sums = emaSums
        codebook.withUnsafeMutablePointer { code in
            counts.withUnsafePointer { n in
                sums.withUnsafePointer { s in
                    for c in 0..<k {
                        let smoothed = (Double(n[c]) + epsilon) / (total + Double(k) * epsilon) * total
                        // With no statistics at all (total 0) the code stays where it is.
                        guard smoothed > 0 else { continue }
                        for j in 0..<d { code[c * d + j] = Float(Double(s[c * d + j]) / smoothed) }
                    }
                }
            }
        }
        idleSteps.withUnsafeMutablePointer { idle in
            for c in 0..<k { idle[c] = batchCounts[c] > 0 ? 0 : idle[c] + 1 }
        }
    }

    /// The codes idle for at least `window` steps (none when `window` is 0): the ones
    /// `restartIdleCodes` re-seeds.
    public func idleCodes(window: Int) -> [Int] {
        guard window > 0 else { return [] }
        let idle = idleSteps
        return (0..<codeCount).filter { idle[flat: $0] >= Float(window) }
    }

    /// Re-seeds every code idle for at least `window` steps with a distinct randomly chosen row
    /// of `vectors` (the current residuals at this level): the code becomes that vector, with an
    /// EMA count of one, so that the next updates move it quickly towards the vectors it attracts.
    /// Returns the restarted codes.
    @discardableResult
    public mutating func restartIdleCodes(vectors: Tensor, window: Int, generator: inout SeededGenerator) -> [Int] {
        let d = dimension
        precondition(
            vectors.rank == 2 && vectors.shape[1] == d,
            "CodebookLevel.restartIdleCodes: vectors \(vectors.shape) for dimension \(d)")
        guard vectors.shape[0] > 0 else { return [] }
        let dead = idleCodes(window: window)
        guard !dead.isEmpty else { return [] }
        let m = vectors.shape[0]
        // A partial Fisher–Yates shuffle: distinct rows while there are enough of them.
        var pool = Array(0..<m)
        var chosen: [Int] = []
        for i in 0..<dead.count {
            let slot = i % m
            if slot == 0 && i > 0 { pool = Array(0..<m) }
            let j = slot + generator.integer(below: m - slot)
            pool.swapAt(slot, j)
            chosen.append(pool[slot])
        }
        vectors.withUnsafePointer { x in
            codebook.withUnsafeMutablePointer { code in
                emaSums.withUnsafeMutablePointer { s in
                    emaCounts.withUnsafeMutablePointer { n in
                        idleSteps.withUnsafeMutablePointer { idle in
                            for (c, row) in zip(dead, chosen) {
                                for j in 0..<d {
                                    code[c * d + j] = x[row * d + j]
                                    s[c * d + j] = x[row * d + j]
                                }
                                n[c] = 1
                                idle[c] = 0
                            }
                        }
                    }
                }
            }
        }
        return dead
    }
}

extension CodebookLevel {
    /// Lloyd's k-means steps from the current codebook on `vectors` ([M, D]) until no vector
    /// changes its code (or `maximumIterations`): each code used moves to the mean of its
    /// vectors, an unused code stays where it is. The EMA statistics are left as they are (they
    /// belong to the training run). Returns the final codes and the iterations taken.
    public mutating func refit(to vectors: Tensor, maximumIterations: Int) -> (codes: [Int32], iterations: Int) {
        let k = codeCount, d = dimension
        precondition(
            vectors.rank == 2 && vectors.shape[1] == d,
            "CodebookLevel.refit: vectors \(vectors.shape) for dimension \(d)")
        var codes = search.nearest(vectors)
        var iterations = 0
        while iterations < maximumIterations {
            var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
            vectors.withUnsafePointer { x in
                for (i, code) in codes.enumerated() {
                    let c = Int(code)
                    counts[c] += 1
                    for j in 0..<d { sums[c * d + j] += Double(x[i * d + j]) }
                }
            }
            codebook.withUnsafeMutablePointer { table in
                for c in 0..<k where counts[c] > 0 {
                    for j in 0..<d { table[c * d + j] = Float(sums[c * d + j] / Double(counts[c])) }
                }
            }
            iterations += 1
            let next = search.nearest(vectors)
            if next == codes { break }
            codes = next
        }
        return (codes, iterations)
    }
}
