import Foundation
import TensorCore

/// Settings of the kernel distance.
public struct KernelDistanceOptions: Codable, Equatable, Sendable {
    /// Random subsets averaged over (KID's reference code: 100).
    public var subsets = 100
    /// Images per subset, from each set; capped at half the smaller set, so that the subsets
    /// differ and their spread means something (with 1,000 images in each set: subsets of 500).
    public var subsetSize = 1000
    public var seed: UInt64 = 0

    public init(subsets: Int = 100, subsetSize: Int = 1000, seed: UInt64 = 0) {
        self.subsets = subsets
        self.subsetSize = subsetSize
        self.seed = seed
    }
}

/// The kernel distance's estimate: the mean of the unbiased MMD² over the subsets and its
/// standard deviation over them.
public struct KernelDistanceResult: Codable, Equatable, Sendable {
    /// Mean unbiased MMD² (can be slightly negative when the sets match).
    public var value: Double
    /// Standard deviation of the per-subset estimates.
    public var standardDeviation: Double
    public var subsets: Int
    public var subsetSize: Int
    /// Name and size of the features.
    public var features: String
    public var featureDimension: Int

    /// What the "±" after `value` is: "± SD over 100 subsets of 500". The population standard
    /// deviation of the per-subset estimates; the subsets overlap (they are drawn from the same
    /// images), so it shows the spread of one subset's estimate, not the mean's standard error.
    public var spreadLabel: String { "± SD over \(subsets) subsets of \(subsetSize)" }
}

/// The image-statistics kernel distance (ISKD): KID's estimator (Bińkowski et al. 2018,
/// "Demystifying MMD GANs": the squared maximum mean discrepancy with the cubic polynomial kernel
/// k(x, y) = (xᵀy / d + 1)³, estimated without bias on random subsets of both sets and averaged)
/// on the project's own image statistics instead of Inception features, which would need network
/// weights that cannot be downloaded here. Its values are not KID values and compare only with
/// other ISKD values.
///
/// The features are `ImageStatisticsFeatures` (see there for what and why), standardised
/// per dimension with the mean and standard deviation of the *reference* (real) set — so every
/// generated set is measured with the same fixed map — clipped at ±4 deviations, and weighted
/// so that each feature block carries the same total variance whatever its size (see
/// `FeatureStandardizer`). Deterministic given `options.seed`.
public enum KernelDistance {
    public static let featureName = "image-statistics-v1"

    /// The ISKD between generated images and reference (real) images.
    public static func distance(
        _ generated: ImageSet, reference: ImageSet,
        options: KernelDistanceOptions = KernelDistanceOptions()
    ) throws -> KernelDistanceResult {
        try ImageSet.checkComparable(generated, reference, metric: "the kernel distance")
        let d = ImageStatisticsFeatures.dimension(height: reference.height, width: reference.width)
        var x = ImageStatisticsFeatures.features(of: generated)
        var y = ImageStatisticsFeatures.features(of: reference)
        let blocks = ImageStatisticsFeatures.blockSizes(height: reference.height, width: reference.width).map(\.size)
        let standardizer = FeatureStandardizer(reference: y, dimension: d, blockSizes: blocks)
        standardizer.apply(&x)
        standardizer.apply(&y)
        var result = try polynomialMMD(x, y, dimension: d, options: options)
        result.features = featureName
        return result
    }

    /// The kernel distance of two feature matrices (rows of `dimension` values), for any features.
    public static func polynomialMMD(
        _ x: [Float], _ y: [Float], dimension d: Int,
        options: KernelDistanceOptions = KernelDistanceOptions()
    ) throws -> KernelDistanceResult {
        guard d > 0, x.count % d == 0, y.count % d == 0 else {
            throw ImageMetricsError(
                .invalidShape, "feature matrices of \(x.count) and \(y.count) values are not rows of \(d)")
        }
        let (n, m) = (x.count / d, y.count / d)
        let size = min(options.subsetSize, max(2, min(n, m) / 2))
        guard min(n, m) >= 2, size >= 2 else {
            throw ImageMetricsError(.emptySet, "the kernel distance needs at least 2 images per set, got \(n) and \(m)")
        }
        guard options.subsetSize >= 2 else {
            throw ImageMetricsError(
                .invalidOption, "kernel distance subsets need at least 2 images, not \(options.subsetSize)")
        }
        guard options.subsets >= 1 else {
            throw ImageMetricsError(
                .invalidOption, "the kernel distance needs at least one subset, not \(options.subsets)")
        }
        var random = SeedMixing.generator(options.seed, StreamTag.kidSubsets.rawValue)
        var estimates: [Double] = []
        var subX = [Float](repeating: 0, count: size * d), subY = subX
        var gram = [Float](repeating: 0, count: size * size)
        for _ in 0..<options.subsets {
            gather(x, rows: random.sample(size, from: n), dimension: d, into: &subX)
            gather(y, rows: random.sample(size, from: m), dimension: d, into: &subY)
            let xx = kernelSum(subX, subX, size: size, dimension: d, gram: &gram)
            let yy = kernelSum(subY, subY, size: size, dimension: d, gram: &gram)
            let xy = kernelSum(subX, subY, size: size, dimension: d, gram: &gram)
            let s = Double(size)
            estimates.append((xx.offDiagonal + yy.offDiagonal) / (s * (s - 1)) - 2 * xy.total / (s * s))
        }
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        let variance = estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(estimates.count)
        return KernelDistanceResult(
            value: mean, standardDeviation: variance.squareRoot(), subsets: options.subsets,
            subsetSize: size, features: "custom", featureDimension: d)
    }

    private static func gather(_ source: [Float], rows: [Int], dimension d: Int, into out: inout [Float]) {
        source.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, r) in rows.enumerated() {
                    (dst.baseAddress! + k * d).update(from: src.baseAddress! + r * d, count: d)
                }
            }
        }
    }

    /// Σ k(aᵢ, bⱼ) over all pairs, and over pairs i ≠ j.
    private static func kernelSum(
        _ a: [Float], _ b: [Float], size: Int, dimension d: Int,
        gram: inout [Float]
    ) -> (total: Double, offDiagonal: Double) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                gram.withUnsafeMutableBufferPointer { g in
                    gemm(
                        transposeB: true, m: size, n: size, k: d, alpha: 1 / Float(d),
                        a: pa.baseAddress!, b: pb.baseAddress!, c: g.baseAddress!)
                }
            }
        }
        var total: Double = 0, diagonal: Double = 0
        gram.withUnsafeBufferPointer { g in
            for i in 0..<size {
                var row: Double = 0
                for j in 0..<size {
                    let v = Double(g[i * size + j]) + 1
                    row += v * v * v
                }
                total += row
                let v = Double(g[i * size + i]) + 1
                diagonal += v * v * v
            }
        }
        return (total, total - diagonal)
    }
}

/// Standardises features with a reference set's per-dimension mean and standard deviation
/// (floored at 10⁻³, so a feature constant over the reference cannot blow up), clips the result
/// to ±`clip` reference deviations, then scales each block by √(d / (blocks · blockSize)) so every
/// block has the same total variance d / blocks.
///
/// Why clip: the cubic kernel grows with the third power of a feature vector's length, so a
/// few unusual images (a near-duplicate pair of odd photographs in one set) can dominate an
/// unclipped estimate. Beyond 4 deviations an image is plainly unusual in that respect; how
/// much more so adds little information and much variance.
struct FeatureStandardizer {
    static let clip: Float = 4
    let mean: [Float]
    let inverseStd: [Float]
    let weight: [Float]

    init(reference: [Float], dimension d: Int, blockSizes: [Int]) {
        let n = reference.count / d
        var mean = [Float](repeating: 0, count: d), inverseStd = mean, weight = mean
        for j in 0..<d {
            var sum: Double = 0, squares: Double = 0
            for i in 0..<n {
                let v = Double(reference[i * d + j])
                sum += v
                squares += v * v
            }
            let mu = sum / Double(max(1, n))
            let std = max(0, squares / Double(max(1, n)) - mu * mu).squareRoot()
            mean[j] = Float(mu)
            inverseStd[j] = Float(1 / max(std, 1e-3))
        }
        var j = 0
        for size in blockSizes {
            let w = Float((Double(d) / Double(blockSizes.count * size)).squareRoot())
            for k in j..<(j + size) { weight[k] = w }
            j += size
        }
        precondition(j == d, "FeatureStandardizer: blocks cover \(j) of \(d) features")
        self.mean = mean
        self.inverseStd = inverseStd
        self.weight = weight
    }

    func apply(_ features: inout [Float]) {
        let d = mean.count
        for i in 0..<features.count {
            let j = i % d
            let z = (features[i] - mean[j]) * inverseStd[j]
            features[i] = min(max(z, -Self.clip), Self.clip) * weight[j]
        }
    }
}
