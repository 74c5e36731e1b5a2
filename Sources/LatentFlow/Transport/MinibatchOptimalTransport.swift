import TensorCore

/// Minibatch optimal-transport coupling (Tong et al. 2023, Pooladian et al. 2023): within a
/// batch, noise samples are matched to data samples by the exact assignment that minimises the
/// total squared distance, so the training lines x₀ → x₁ cross less and the learned flow is
/// straighter. Only the noise is permuted, so every data sample keeps its label.
public enum MinibatchOptimalTransport {
    /// Squared Euclidean distances, row-major [data i, noise j], from one matrix product:
    /// ‖dᵢ − nⱼ‖² = ‖dᵢ‖² + ‖nⱼ‖² − 2·dᵢ·nⱼ.
    public static func squaredDistances(data: Tensor, noise: Tensor) -> [Double] {
        precondition(data.shape == noise.shape && data.rank >= 1,
                     "MinibatchOptimalTransport: data \(data.shape) and noise \(noise.shape) differ")
        let n = data.shape[0]
        guard n > 0 else { return [] }
        let d = data.count / n
        let dots = Tensor(uninitializedShape: [n, n])
        gemm(transposeB: true, m: n, n: n, k: d, a: data.unsafePointer, b: noise.unsafePointer, c: dots.unsafePointer)
        func norms(_ t: Tensor) -> [Double] {
            (0..<n).map { Double(VectorReductions.dot(t.unsafePointer + $0 * d, t.unsafePointer + $0 * d, count: d)) }
        }
        let dataNorms = norms(data), noiseNorms = norms(noise)
        var cost = [Double](repeating: 0, count: n * n)
        let p = dots.unsafePointer
        for i in 0..<n {
            for j in 0..<n {
                // Rounding can make a tiny distance negative; distances are never below zero.
                cost[i * n + j] = max(0, dataNorms[i] + noiseNorms[j] - 2 * Double(p[i * n + j]))
            }
        }
        return cost
    }

    /// For each data row i, the noise row to pair it with (a permutation of 0..<N).
    public static func noiseOrder(data: Tensor, noise: Tensor) -> [Int] {
        let n = data.shape.first ?? 0
        return LinearAssignment.solve(cost: squaredDistances(data: data, noise: noise), size: n)
    }

    /// The noise rows reordered so that row i is the noise paired with data row i.
    public static func pairedNoise(data: Tensor, noise: Tensor) -> Tensor {
        noise.gatheringRows(noiseOrder(data: data, noise: noise))
    }
}
