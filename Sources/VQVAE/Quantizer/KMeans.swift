import TensorCore

/// k-means clustering of short vectors, to start a codebook where the data is instead of at
/// random points that no vector would ever choose.
public enum KMeans {
    public struct Result: Sendable {
        /// [K, D] cluster centres.
        public var centroids: Tensor
        /// Vectors assigned to each centre by the last assignment.
        public var sizes: [Int]
    }

    /// k-means++ seeding (each new centre drawn with probability proportional to the squared
    /// distance to the nearest centre so far), then `iterations` Lloyd steps. A cluster that
    /// empties is re-seeded at a random vector. With fewer vectors than clusters, the spare
    /// centres are copies of random vectors moved by a tiny random offset (so they stay distinct).
    public static func fit(_ vectors: Tensor, clusters k: Int, iterations: Int, generator: inout SeededGenerator)
        -> Result
    {
        precondition(
            vectors.rank == 2 && vectors.shape[0] > 0 && k > 0,
            "KMeans.fit: need [M, D] vectors with M > 0 and K > 0, got \(vectors.shape), K = \(k)")
        let m = vectors.shape[0], d = vectors.shape[1]
        let x = vectors.values
        var centres = [Float](repeating: 0, count: k * d)

        if m <= k {
            var spread: Float = 0
            for v in x { spread = max(spread, abs(v)) }
            let jitter = max(spread, 1) * 1e-3
            for c in 0..<k {
                let row = c < m ? c : generator.integer(below: m)
                for j in 0..<d {
                    centres[c * d + j] = x[row * d + j] + (c < m ? 0 : generator.uniform(-jitter, jitter))
                }
            }
        } else {
            seedPlusPlus(x, m: m, d: d, k: k, into: &centres, generator: &generator)
        }

        var sizes = [Int](repeating: 0, count: k)
        for iteration in 0...iterations {
            let assignment = NearestCodeSearch(codebook: Tensor(shape: [k, d], values: centres)).nearest(vectors)
            sizes = [Int](repeating: 0, count: k)
            var sums = [Double](repeating: 0, count: k * d)
            for (i, code) in assignment.enumerated() {
                let c = Int(code)
                sizes[c] += 1
                for j in 0..<d { sums[c * d + j] += Double(x[i * d + j]) }
            }
            if iteration == iterations { break }
            for c in 0..<k {
                if sizes[c] > 0 {
                    for j in 0..<d { centres[c * d + j] = Float(sums[c * d + j] / Double(sizes[c])) }
                } else if m > k {
                    let row = generator.integer(below: m)
                    for j in 0..<d { centres[c * d + j] = x[row * d + j] }
                }
            }
        }
        return Result(centroids: Tensor(shape: [k, d], values: centres), sizes: sizes)
    }

    /// k-means++ seeding (Arthur & Vassilvitskii 2007).
    private static func seedPlusPlus(
        _ x: [Float], m: Int, d: Int, k: Int, into centres: inout [Float],
        generator: inout SeededGenerator
    ) {
        func squaredDistance(_ row: Int, _ centre: Int) -> Double {
            var s: Float = 0
            for j in 0..<d {
                let diff = x[row * d + j] - centres[centre * d + j]
                s += diff * diff
            }
            return Double(s)
        }
        let first = generator.integer(below: m)
        for j in 0..<d { centres[j] = x[first * d + j] }
        var nearest = (0..<m).map { squaredDistance($0, 0) }
        for c in 1..<k {
            let total = nearest.reduce(0, +)
            var row: Int
            if total > 0 {
                var target = Double(generator.uniform()) * total
                row = m - 1
                for i in 0..<m {
                    target -= nearest[i]
                    if target < 0 {
                        row = i
                        break
                    }
                }
            } else {
                // Every vector sits on a centre already: any one will do.
                row = generator.integer(below: m)
            }
            for j in 0..<d { centres[c * d + j] = x[row * d + j] }
            for i in 0..<m { nearest[i] = min(nearest[i], squaredDistance(i, c)) }
        }
    }
}
