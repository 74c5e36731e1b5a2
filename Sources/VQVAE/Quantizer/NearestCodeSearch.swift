import TensorCore

/// The nearest code (squared Euclidean distance) of every vector, for codebooks of a few hundred
/// short codes: the quantizer runs it on N·16·16 latent vectors of 4 numbers per level and step.
///
/// The codebook is laid out code-minor ([D, K] padded to a multiple of 8 codes), so that one
/// vector is compared with eight codes at a time in SIMD lanes; vectors are split over threads.
/// Distances are summed as Σ_d (x_d − c_d)² in dimension order — the same arithmetic as a plain
/// loop, so the choice agrees with brute force — and ties go to the lowest code index.
public struct NearestCodeSearch {
    public let codeCount: Int
    public let dimension: Int
    /// [dimension][paddedCount]: code k's component d at d·paddedCount + k.
    private let transposed: [Float]
    private let paddedCount: Int

    /// Far enough that a padding code never wins, small enough that its squared distance stays finite.
    private static let padding: Float = 1e18

    /// - Parameter codebook: [K, D] row-major.
    public init(codebook: Tensor) {
        precondition(
            codebook.rank == 2 && codebook.shape[0] > 0 && codebook.shape[1] > 0,
            "NearestCodeSearch: codebook must be [K, D] with K, D > 0, got \(codebook.shape)")
        codeCount = codebook.shape[0]
        dimension = codebook.shape[1]
        paddedCount = (codeCount + 7) / 8 * 8
        var t = [Float](repeating: Self.padding, count: dimension * paddedCount)
        let c = codebook.values
        for k in 0..<codeCount {
            for d in 0..<dimension { t[d * paddedCount + k] = c[k * dimension + d] }
        }
        transposed = t
    }

    /// Nearest code of each of `count` vectors stored row-major ([count, D]) at `vectors`.
    public func nearest(_ vectors: UnsafePointer<Float>, count: Int) -> [Int32] {
        var result = [Int32](repeating: 0, count: count)
        guard count > 0 else { return result }
        let d = dimension, padded = paddedCount, blocks = paddedCount / 8
        result.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            transposed.withUnsafeBufferPointer { table in
                let table = UnsafeRawPointer(table.baseAddress!)
                // ~K·D·2 flops per vector: a few hundred vectors per thread amortise the hand-off.
                parallelChunks(count, minimumPerThread: max(16, 65_536 / max(1, codeCount * d))) { range in
                    let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                    for i in range {
                        let x = vectors + i * d
                        var best = SIMD8<Float>(repeating: .infinity)
                        var bestIndex = SIMD8<Int32>(repeating: 0)
                        for block in 0..<blocks {
                            var acc = SIMD8<Float>()
                            for j in 0..<d {
                                let code = table.loadUnaligned(
                                    fromByteOffset: (j * padded + block * 8) * 4, as: SIMD8<Float>.self)
                                let diff = SIMD8<Float>(repeating: x[j]) - code
                                acc += diff * diff
                            }
                            // Strictly smaller: an earlier block keeps a tie.
                            let better = acc .< best
                            best.replace(with: acc, where: better)
                            bestIndex.replace(with: lanes &+ Int32(block * 8), where: better)
                        }
                        var winner = bestIndex[0], winnerDistance = best[0]
                        for lane in 1..<8
                        where best[lane] < winnerDistance
                            || (best[lane] == winnerDistance && bestIndex[lane] < winner)
                        {
                            winner = bestIndex[lane]
                            winnerDistance = best[lane]
                        }
                        out[i] = winner
                    }
                }
            }
        }
        return result
    }

    /// Nearest code of each row of a [count, D] tensor.
    public func nearest(_ vectors: Tensor) -> [Int32] {
        precondition(
            vectors.rank == 2 && vectors.shape[1] == dimension,
            "NearestCodeSearch: vectors must be [count, \(dimension)], got \(vectors.shape)")
        return vectors.withUnsafePointer { nearest($0, count: vectors.shape[0]) }
    }
}
