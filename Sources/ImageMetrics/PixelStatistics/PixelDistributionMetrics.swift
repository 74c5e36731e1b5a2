import Foundation
import TensorCore

/// Settings of the pixel-distribution metrics.
public struct PixelDistributionOptions: Codable, Equatable, Sendable {
    /// Pixels drawn (with replacement) from each set for the RBF MMD.
    public var mmdSampleSize = 4000
    public var seed: UInt64 = 0

    public init(mmdSampleSize: Int = 4000, seed: UInt64 = 0) {
        self.mmdSampleSize = mmdSampleSize
        self.seed = seed
    }
}

/// The pixel-distribution metrics of the original research code, for continuity: they compare
/// the distributions of pixel values of the two sets, ignoring where the pixels are. All on the
/// [0, 1] scale (8-bit value / 255).
public struct PixelDistributionResult: Codable, Equatable, Sendable {
    /// Jensen–Shannon divergence of the 256-bin histograms, in bits (0…1), mean over R, G, B.
    public var jensenShannon: Double
    /// 1-D Wasserstein distance of the pixel values, mean over R, G, B (exact for 8-bit values).
    public var wasserstein: Double
    /// Unbiased MMD² of RGB pixel values with a Gaussian kernel exp(−‖x − y‖² / 2σ²).
    public var mmd: Double
    /// σ of that kernel: the median distance between pixels of the reference set's sample.
    public var mmdBandwidth: Double
    /// Standard deviation of all pixel values (channels pooled) of each set.
    public var generatedStandardDeviation: Double
    public var referenceStandardDeviation: Double
    /// generated − reference: negative for washed-out or blurred sets, positive for noisy ones.
    public var standardDeviationDifference: Double
}

public enum PixelDistributionMetrics {
    public static func compare(
        _ generated: ImageSet, reference: ImageSet,
        options: PixelDistributionOptions = PixelDistributionOptions()
    ) throws -> PixelDistributionResult {
        // Sizes may differ here (only values are compared), but neither set may be empty.
        guard generated.count > 0, reference.count > 0 else {
            throw ImageMetricsError(
                .emptySet, "pixel metrics need images in both sets, got \(generated.count) and \(reference.count)")
        }
        guard options.mmdSampleSize >= 2 else {
            throw ImageMetricsError(
                .invalidOption, "the pixel MMD needs at least 2 pixels per set, not \(options.mmdSampleSize)")
        }
        let hg = ChannelHistograms(generated), hr = ChannelHistograms(reference)
        var js = 0.0, w1 = 0.0
        for c in 0..<3 {
            js += jensenShannon(hg.probabilities(c), hr.probabilities(c))
            w1 += wasserstein(hg.probabilities(c), hr.probabilities(c))
        }
        let (sg, sr) = (hg.pooledStandardDeviation(), hr.pooledStandardDeviation())
        // Both sets draw pixel positions from the same stream (common random numbers): sets of
        // equal size are sampled at the same places, which steadies comparisons between related
        // sets (a set and its degraded copy) and changes nothing for unrelated ones.
        let x = samplePixels(generated, options.mmdSampleSize, seed: options.seed)
        let y = samplePixels(reference, options.mmdSampleSize, seed: options.seed)
        let sigma = max(medianDistance(y, limit: 1000), 1.0 / 255)
        let mmd = GaussianMMD.unbiased(x, y, sigma: sigma)
        return PixelDistributionResult(
            jensenShannon: js / 3, wasserstein: w1 / 3, mmd: mmd, mmdBandwidth: sigma,
            generatedStandardDeviation: sg, referenceStandardDeviation: sr,
            standardDeviationDifference: sg - sr)
    }

    /// JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q) / 2, in bits.
    static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        var sum = 0.0
        for k in 0..<p.count {
            let m = (p[k] + q[k]) / 2
            if p[k] > 0 { sum += p[k] * log2(p[k] / m) }
            if q[k] > 0 { sum += q[k] * log2(q[k] / m) }
        }
        return max(0, sum / 2)
    }

    /// ∫|F_P − F_Q| over [0, 1], for distributions on the 256 levels k / 255.
    static func wasserstein(_ p: [Double], _ q: [Double]) -> Double {
        var fp = 0.0, fq = 0.0, sum = 0.0
        for k in 0..<(p.count - 1) {
            fp += p[k]
            fq += q[k]
            sum += abs(fp - fq)
        }
        return sum / Double(p.count - 1)
    }

    /// `count` random pixels (with replacement) as RGB triples in [0, 1].
    static func samplePixels(_ set: ImageSet, _ count: Int, seed: UInt64) -> [Float] {
        var random = SeedMixing.generator(seed, StreamTag.pixelSubsample.rawValue)
        let total = set.count * set.height * set.width
        var out = [Float](repeating: 0, count: count * 3)
        for i in 0..<count {
            let p = random.integer(below: total) * 3
            for c in 0..<3 { out[i * 3 + c] = Float(set.pixels[p + c]) / 255 }
        }
        return out
    }

    /// The median Euclidean distance over pairs among the first `limit` points.
    static func medianDistance(_ points: [Float], limit: Int) -> Double {
        let n = min(limit, points.count / 3)
        var distances: [Float] = []
        distances.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                var s: Float = 0
                for c in 0..<3 {
                    let d = points[i * 3 + c] - points[j * 3 + c]
                    s += d * d
                }
                distances.append(s)
            }
        }
        guard !distances.isEmpty else { return 0 }
        let k = distances.count / 2
        var sorter = FloatRadixSorter()
        distances.withUnsafeMutableBufferPointer { sorter.sort($0.baseAddress!, count: $0.count) }
        return Double(distances[k]).squareRoot()
    }
}

/// Per-channel 256-bin histograms of a set's pixel values.
struct ChannelHistograms {
    var counts = [[Int]](repeating: [Int](repeating: 0, count: 256), count: 3)
    let total: Int

    init(_ set: ImageSet) {
        var c0 = [Int](repeating: 0, count: 256), c1 = c0, c2 = c0
        set.pixels.withUnsafeBufferPointer { p in
            for i in stride(from: 0, to: p.count, by: 3) {
                c0[Int(p[i])] += 1
                c1[Int(p[i + 1])] += 1
                c2[Int(p[i + 2])] += 1
            }
        }
        counts = [c0, c1, c2]
        total = set.pixels.count / 3
    }

    func probabilities(_ channel: Int) -> [Double] {
        counts[channel].map { Double($0) / Double(total) }
    }

    /// Standard deviation of all values of all channels, on [0, 1].
    func pooledStandardDeviation() -> Double {
        var sum = 0.0, squares = 0.0
        for c in 0..<3 {
            for k in 0..<256 {
                let v = Double(k) / 255, n = Double(counts[c][k])
                sum += n * v
                squares += n * v * v
            }
        }
        let n = Double(3 * total)
        let mean = sum / n
        return max(0, squares / n - mean * mean).squareRoot()
    }
}

/// Unbiased MMD² with a Gaussian kernel between two samples of 3-D points.
enum GaussianMMD {
    static func unbiased(_ x: [Float], _ y: [Float], sigma: Double) -> Double {
        let (n, m) = (x.count / 3, y.count / 3)
        let gamma = Float(1 / (2 * sigma * sigma))
        let xx = pairSum(x, x, gamma: gamma, skipDiagonal: true)
        let yy = pairSum(y, y, gamma: gamma, skipDiagonal: true)
        let xy = pairSum(x, y, gamma: gamma, skipDiagonal: false)
        return xx / Double(n * (n - 1)) + yy / Double(m * (m - 1)) - 2 * xy / Double(n * m)
    }

    /// Σ exp(−γ‖aᵢ − bⱼ‖²) over all pairs (i ≠ j if `skipDiagonal`), rows split over threads.
    /// `b` is split into channel arrays so the inner loop (with `FastMath.exp`) vectorises.
    private static func pairSum(_ a: [Float], _ b: [Float], gamma: Float, skipDiagonal: Bool) -> Double {
        let (n, m) = (a.count / 3, b.count / 3)
        let (br, bg, bb) = ((0..<m).map { b[3 * $0] }, (0..<m).map { b[3 * $0 + 1] }, (0..<m).map { b[3 * $0 + 2] })
        var rowSums = [Double](repeating: 0, count: n)
        a.withUnsafeBufferPointer { pa in
            br.withUnsafeBufferPointer { qr in
                bg.withUnsafeBufferPointer { qg in
                    bb.withUnsafeBufferPointer { qb in
                        rowSums.withUnsafeMutableBufferPointer { out in
                            let (qa, o) = (pa.baseAddress!, out.baseAddress!)
                            parallelChunks(n, minimumPerThread: 64) { rows in
                                // Terms first (an element-wise loop), then a vectorised sum:
                                // a running float sum inside the loop would keep it scalar.
                                var terms = [Float](repeating: 0, count: m)
                                terms.withUnsafeMutableBufferPointer { t in
                                    for i in rows {
                                        let (r, g, bl) = (qa[3 * i], qa[3 * i + 1], qa[3 * i + 2])
                                        for j in 0..<m {
                                            let dr = r - qr[j], dg = g - qg[j], db = bl - qb[j]
                                            t[j] = FastMath.exp(-gamma * (dr * dr + dg * dg + db * db))
                                        }
                                        var s = VectorReductions.sum(UnsafePointer(t.baseAddress!), count: m)
                                        if skipDiagonal { s -= 1 }
                                        o[i] = Double(s)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return rowSums.reduce(0, +)
    }
}
