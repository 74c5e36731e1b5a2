import TensorCore

/// Minibatch optimal-transport coupling (Tong et al. 2023, Pooladian et al. 2023): within a
/// batch, noise samples are matched to data samples by the exact assignment that minimises the
/// total squared distance, so the training lines x₀ → x₁ cross less and the learned flow is
/// straighter. Only the noise is permuted, so every data sample keeps its label.
///
/// With class labels the matching stays within each class: the data rows of class c are paired
/// with the noise rows drawn at the same places in the batch. Those are i.i.d. N(0, I) draws
/// chosen without looking at them, so the noise a class-c sample trains from is N(0, I), the
/// distribution that sampling class c starts from. Matched across the whole batch, class c
/// would train from the part of the noise nearest its own data — not what sampling draws.
public enum MinibatchOptimalTransport {
    /// Squared Euclidean distances, row-major [data i, noise j], summed in Double from the
    /// differences. (‖dᵢ‖² + ‖nⱼ‖² − 2·dᵢ·nⱼ from a float32 product cancels: for data far from the
    /// origin the norms are large and their difference, the distance, is lost in rounding.)
    public static func squaredDistances(data: Tensor, noise: Tensor) -> [Double] {
        precondition(
            data.shape == noise.shape && data.rank >= 1,
            "MinibatchOptimalTransport: data \(data.shape) and noise \(noise.shape) differ")
        let n = data.shape[0]
        return squaredDistances(data: data, noise: noise, rows: Array(0..<n), dimension: n > 0 ? data.count / n : 0)
    }

    /// Distances between the data rows and the noise rows of `rows` (the same rows of both).
    private static func squaredDistances(data: Tensor, noise: Tensor, rows: [Int], dimension d: Int) -> [Double] {
        let m = rows.count
        var cost = [Double](repeating: 0, count: m * m)
        let p = data.unsafePointer, q = noise.unsafePointer
        for (a, i) in rows.enumerated() {
            for (b, j) in rows.enumerated() {
                let x = p + i * d, y = q + j * d
                var total = 0.0
                for k in 0..<d {
                    let difference = Double(x[k]) - Double(y[k])
                    total += difference * difference
                }
                cost[a * m + b] = total
            }
        }
        return cost
    }

    /// For each data row i, the noise row to pair it with (a permutation of 0..<N). With
    /// `labels` (one per row), row i is paired with a noise row of a row of its own class.
    /// - Throws: `FlowTrainingError` if the shapes differ or the labels are not one per row.
    public static func noiseOrder(data: Tensor, noise: Tensor, labels: [Int]? = nil) throws -> [Int] {
        guard data.shape == noise.shape, data.rank >= 1 else {
            throw FlowTrainingError("minibatch OT: data \(data.shape) and noise \(noise.shape) differ")
        }
        let n = data.shape[0]
        let d = n > 0 ? data.count / n : 0
        let groups: [[Int]]
        if let labels {
            guard labels.count == n else {
                throw FlowTrainingError("minibatch OT: \(labels.count) labels for \(n) rows")
            }
            let byLabel = Dictionary(grouping: 0..<n) { labels[$0] }
            groups = byLabel.keys.sorted().map { byLabel[$0]! }
        } else {
            groups = [Array(0..<n)]
        }
        var order = Array(0..<n)
        for rows in groups {
            let assignment = LinearAssignment.solve(
                cost: squaredDistances(data: data, noise: noise, rows: rows, dimension: d),
                size: rows.count)
            for (a, b) in assignment.enumerated() { order[rows[a]] = rows[b] }
        }
        return order
    }

    /// The noise rows reordered so that row i is the noise paired with data row i.
    public static func pairedNoise(data: Tensor, noise: Tensor, labels: [Int]? = nil) throws -> Tensor {
        noise.gatheringRows(try noiseOrder(data: data, noise: noise, labels: labels))
    }
}
