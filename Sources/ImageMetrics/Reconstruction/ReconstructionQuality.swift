import Foundation
import TensorCore

/// PSNR and SSIM of reconstructions against their originals, image by image, on the [0, 1]
/// scale. Both accept 8-bit image sets or float tensors [N, 3, H, W] in [-1, 1] (the
/// autoencoder's own output, scored without rounding to 8 bits; values are clamped to the
/// displayable range first, as a saved image would be).
public enum ReconstructionQuality {
    /// PSNR of a perfect reconstruction (the MSE is floored at 10⁻¹⁰ so the value stays finite).
    public static let maximumPSNR = 100.0

    /// Mean over images of each image's PSNR in dB: 10·log10(1 / MSE), MSE over all pixels and channels.
    public static func psnr(_ reconstruction: ImageSet, _ original: ImageSet) throws -> Double {
        mean(try psnrPerImage(reconstruction, original))
    }

    public static func psnrPerImage(_ reconstruction: ImageSet, _ original: ImageSet) throws -> [Double] {
        try checkPair(reconstruction, original)
        return perImage(reconstruction.count) { psnr(reconstruction.planes($0), original.planes($0)) }
    }

    /// Mean over images of SSIM (Wang et al. 2004): Gaussian window 11×11 with σ = 1.5,
    /// K1 = 0.01, K2 = 0.03, dynamic range 1, over the valid window positions, per channel, and
    /// averaged over channels.
    public static func ssim(_ reconstruction: ImageSet, _ original: ImageSet) throws -> Double {
        mean(try ssimPerImage(reconstruction, original))
    }

    public static func ssimPerImage(_ reconstruction: ImageSet, _ original: ImageSet) throws -> [Double] {
        try checkPair(reconstruction, original)
        try SSIMWindow.checkSize(height: original.height, width: original.width)
        let window = SSIMWindow(height: original.height, width: original.width)
        return perImage(reconstruction.count) {
            window.ssim(reconstruction.planes($0), original.planes($0), channels: 3)
        }
    }

    /// PSNR of float batches [N, 3, H, W] in [-1, 1].
    public static func psnr(_ reconstruction: Tensor, _ original: Tensor) throws -> Double {
        let (a, b, shape) = try floatPair(reconstruction, original)
        return mean(perImage(shape.n) { psnr(a.image($0), b.image($0)) })
    }

    /// SSIM of float batches [N, 3, H, W] in [-1, 1].
    public static func ssim(_ reconstruction: Tensor, _ original: Tensor) throws -> Double {
        let (a, b, shape) = try floatPair(reconstruction, original)
        try SSIMWindow.checkSize(height: shape.h, width: shape.w)
        let window = SSIMWindow(height: shape.h, width: shape.w)
        return mean(perImage(shape.n) { window.ssim(a.image($0), b.image($0), channels: 3) })
    }

    /// PSNR of two images given as [0, 1] planes (their scale is what `ImageSet.planes` gives).
    static func psnr(_ a: [Float], _ b: [Float]) -> Double {
        var sum: Double = 0
        for i in 0..<a.count {
            let d = Double(a[i] - b[i])
            sum += d * d
        }
        let mse = max(sum / Double(a.count), 1e-10)
        return 10 * log10(1 / mse)
    }

    private static func perImage(_ count: Int, _ score: (Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { o in
            let base = o.baseAddress!
            parallelFor(count) { base[$0] = score($0) }
        }
        return out
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    private static func checkPair(_ a: ImageSet, _ b: ImageSet) throws {
        guard a.count == b.count, a.height == b.height, a.width == b.width else {
            throw ImageMetricsError(
                .mismatchedSets,
                "reconstructions (\(a.count) of \(a.width)×\(a.height)) and originals (\(b.count) of \(b.width)×\(b.height)) must pair up"
            )
        }
        guard a.count > 0 else { throw ImageMetricsError(.emptySet, "no images to compare") }
    }

    /// Both tensors as [0, 1] planes, after checking they are matching finite image batches.
    private static func floatPair(_ a: Tensor, _ b: Tensor) throws -> (UnitImages, UnitImages, (n: Int, h: Int, w: Int))
    {
        guard a.rank == 4, a.shape[1] == 3, a.shape == b.shape else {
            throw ImageMetricsError(
                .mismatchedSets, "expected two image tensors [N, 3, H, W] of one shape, got \(a.shape) and \(b.shape)")
        }
        guard a.shape[0] > 0 else { throw ImageMetricsError(.emptySet, "no images to compare") }
        return (try UnitImages(a), try UnitImages(b), (a.shape[0], a.shape[2], a.shape[3]))
    }
}

/// A float image batch mapped from [-1, 1] to [0, 1] (clamped).
private struct UnitImages {
    let values: [Float]
    let perImage: Int

    init(_ tensor: Tensor) throws {
        var values = tensor.values
        var bad = 0
        for i in 0..<values.count {
            let v = values[i]
            if !v.isFinite {
                bad += 1
                continue
            }
            values[i] = min(max((v + 1) / 2, 0), 1)
        }
        guard bad == 0 else {
            throw ImageMetricsError(.nonFinite, "\(bad) of \(values.count) values are NaN or infinite")
        }
        self.values = values
        self.perImage = tensor.count / tensor.shape[0]
    }

    func image(_ n: Int) -> [Float] { Array(values[(n * perImage)..<((n + 1) * perImage)]) }
}
