import Foundation
import TensorCore

/// Full-reference image quality of reconstructions: PSNR and SSIM, per image, on RGB in [0, 1].
///
/// Inputs are NCHW batches in the networks' range [-1, 1]; both are mapped to [0, 1] and
/// clamped there (as they would be saved), so values outside the image range do not count.
public enum ImageQuality {
    /// Peak signal-to-noise ratio per image, 10·log10(1 / MSE) over all channels and pixels;
    /// +∞ for identical images.
    public static func psnr(_ a: Tensor, _ b: Tensor) -> [Double] {
        let (n, c, h, w) = checkPair(a, b, "ImageQuality.psnr")
        let size = c * h * w
        var result = [Double](repeating: 0, count: n)
        a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                result.withUnsafeMutableBufferPointer { out in
                    let out = out.baseAddress!
                    parallelFor(n) { image in
                        var sum = 0.0
                        for i in (image * size)..<((image + 1) * size) {
                            let d = Double(unit(pa[i]) - unit(pb[i]))
                            sum += d * d
                        }
                        let mse = sum / Double(size)
                        out[image] = mse == 0 ? .infinity : 10 * log10(1 / mse)
                    }
                }
            }
        }
        return result
    }

    /// Structural similarity per image (Wang et al. 2004): a Gaussian window of 11×11 taps,
    /// σ = 1.5, constants C1 = (0.01)², C2 = (0.03)² for the data range 1, the SSIM map over
    /// the positions where the window fits inside the image (as scikit-image with
    /// `gaussian_weights=True, use_sample_covariance=False`), averaged, then averaged over the
    /// channels. Images smaller than 11 px use the largest odd window that fits.
    public static func ssim(_ a: Tensor, _ b: Tensor) -> [Double] {
        let (n, c, h, w) = checkPair(a, b, "ImageQuality.ssim")
        var taps = min(11, min(h, w))
        if taps % 2 == 0 { taps -= 1 }
        let window = gaussianWindow(taps: taps, sigma: 1.5)
        var result = [Double](repeating: 0, count: n)
        a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                result.withUnsafeMutableBufferPointer { out in
                    let out = out.baseAddress!
                    parallelFor(n) { image in
                        var total = 0.0
                        for channel in 0..<c {
                            let offset = (image * c + channel) * h * w
                            total += planeSSIM(pa + offset, pb + offset, height: h, width: w, window: window)
                        }
                        out[image] = total / Double(c)
                    }
                }
            }
        }
        return result
    }

    // MARK: Internals

    @inline(__always)
    private static func unit(_ v: Float) -> Float { min(max((v + 1) * 0.5, 0), 1) }

    private static func checkPair(_ a: Tensor, _ b: Tensor, _ op: String) -> (Int, Int, Int, Int) {
        precondition(a.shape == b.shape, "\(op): images \(a.shape) and \(b.shape) differ in shape")
        return a.nchw(op)
    }

    /// Normalised 1-D Gaussian taps.
    static func gaussianWindow(taps: Int, sigma: Double) -> [Double] {
        let centre = Double(taps - 1) / 2
        let raw = (0..<taps).map { exp(-pow(Double($0) - centre, 2) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }

    /// Mean SSIM of one channel plane; the five local moments come from one separable filter pass.
    private static func planeSSIM(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, height h: Int, width w: Int,
        window: [Double]
    ) -> Double {
        let taps = window.count
        let oh = h - taps + 1, ow = w - taps + 1
        // Per pixel: x, y, x², y², xy in [0, 1] units.
        var fields = [Double](repeating: 0, count: 5 * h * w)
        for i in 0..<(h * w) {
            let x = Double(unit(a[i])), y = Double(unit(b[i]))
            fields[i] = x
            fields[h * w + i] = y
            fields[2 * h * w + i] = x * x
            fields[3 * h * w + i] = y * y
            fields[4 * h * w + i] = x * y
        }
        // Horizontal pass (valid), then vertical pass (valid).
        var rows = [Double](repeating: 0, count: 5 * h * ow)
        for f in 0..<5 {
            for r in 0..<h {
                for col in 0..<ow {
                    var s = 0.0
                    let base = f * h * w + r * w + col
                    for t in 0..<taps { s += window[t] * fields[base + t] }
                    rows[f * h * ow + r * ow + col] = s
                }
            }
        }
        var moments = [Double](repeating: 0, count: 5 * oh * ow)
        for f in 0..<5 {
            for r in 0..<oh {
                for t in 0..<taps {
                    let weight = window[t], source = f * h * ow + (r + t) * ow, target = f * oh * ow + r * ow
                    for col in 0..<ow { moments[target + col] += weight * rows[source + col] }
                }
            }
        }
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        let plane = oh * ow
        var total = 0.0
        for i in 0..<plane {
            let mx = moments[i], my = moments[plane + i]
            let vx = moments[2 * plane + i] - mx * mx, vy = moments[3 * plane + i] - my * my
            let cxy = moments[4 * plane + i] - mx * my
            total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        return total / Double(oh * ow)
    }
}
