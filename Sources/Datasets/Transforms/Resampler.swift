import FileFormats
import Foundation

/// The outcome of a resize that may have enlarged the image: enlarging cannot add detail, so
/// callers are told (`warning` is set) and can decide whether that is acceptable.
public struct ResizeResult: Sendable {
    public let image: RGBImage
    /// Output size over input size along the shorter side (above 1 means enlarged).
    public let scale: Double
    /// Non-nil when the image was enlarged, saying by how much.
    public let warning: String?
    public var wasUpscaled: Bool { scale > 1 }
}

/// Separable, anti-aliased image resampling.
public enum Resampler {
    /// Largest output side accepted, a guard against absurd sizes exhausting memory.
    public static let maximumSide = 32768

    /// Resizes `image` to exactly `width` × `height` with `filter`; shrinking stretches the
    /// kernel by the scale factor, so it never aliases.
    /// - Throws: `DatasetError.invalidArgument` for an empty input or a non-positive target size.
    public static func resize(
        _ image: RGBImage, width: Int, height: Int,
        filter: ResampleFilter = .lanczos3
    ) throws -> RGBImage {
        guard image.width > 0 && image.height > 0 else {
            throw DatasetError(.invalidArgument, "cannot resize an empty \(image.width)×\(image.height) image")
        }
        guard width > 0 && height > 0 && width <= maximumSide && height <= maximumSide else {
            throw DatasetError(
                .invalidArgument,
                "resize target \(width)×\(height) must be positive and at most \(maximumSide) per side")
        }
        if width == image.width && height == image.height { return image }
        let horizontal = ResampleWeights(inputSize: image.width, outputSize: width, filter: filter)
        let vertical = ResampleWeights(inputSize: image.height, outputSize: height, filter: filter)
        // Pass 1: rows, input height × output width, kept in float so rounding happens once.
        var wide = [Float](repeating: 0, count: image.height * width * 3)
        image.pixels.withUnsafeBufferPointer { src in
            wide.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let rowIn = y * image.width * 3, rowOut = y * width * 3
                    for x in 0..<width {
                        let first = horizontal.first[x], base = x * horizontal.taps
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for t in 0..<horizontal.taps {
                            let w = horizontal.weights[base + t]
                            if w == 0 { continue }
                            let s = rowIn + (first + t) * 3
                            r += w * Float(src[s])
                            g += w * Float(src[s + 1])
                            b += w * Float(src[s + 2])
                        }
                        dst[rowOut + x * 3] = r
                        dst[rowOut + x * 3 + 1] = g
                        dst[rowOut + x * 3 + 2] = b
                    }
                }
            }
        }
        // Pass 2: columns, accumulating whole rows at a time (contiguous memory).
        var out = [UInt8](repeating: 0, count: height * width * 3)
        var acc = [Float](repeating: 0, count: width * 3)
        wide.withUnsafeBufferPointer { src in
            for y in 0..<height {
                for i in 0..<acc.count { acc[i] = 0 }
                let first = vertical.first[y], base = y * vertical.taps
                for t in 0..<vertical.taps {
                    let w = vertical.weights[base + t]
                    if w == 0 { continue }
                    let row = (first + t) * width * 3
                    for i in 0..<(width * 3) { acc[i] += w * src[row + i] }
                }
                let rowOut = y * width * 3
                for i in 0..<(width * 3) {
                    // Lanczos and cubic overshoot at edges: clamp after rounding to nearest.
                    out[rowOut + i] = UInt8(min(max(acc[i] + 0.5, 0), 255))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Resizes so that the shorter side becomes `shorterSide`, keeping the aspect ratio
    /// (the longer side is rounded to the nearest pixel).
    public static func resizeShorterSide(
        _ image: RGBImage, to shorterSide: Int,
        filter: ResampleFilter = .lanczos3
    ) throws -> ResizeResult {
        guard shorterSide > 0 && shorterSide <= maximumSide else {
            throw DatasetError(.invalidArgument, "shorter side must be in 1...\(maximumSide), got \(shorterSide)")
        }
        guard image.width > 0 && image.height > 0 else {
            throw DatasetError(.invalidArgument, "cannot resize an empty \(image.width)×\(image.height) image")
        }
        let short = min(image.width, image.height), long = max(image.width, image.height)
        let scale = Double(shorterSide) / Double(short)
        let newLong = max(shorterSide, Int(min((Double(long) * scale).rounded(), Double(maximumSide + 1))))
        let (w, h) = image.width <= image.height ? (shorterSide, newLong) : (newLong, shorterSide)
        let resized = try resize(image, width: w, height: h, filter: filter)
        let warning =
            scale > 1
            ? String(
                format: "enlarged %d×%d to %d×%d (%.2f×): the result is softer than a real image of that size",
                image.width, image.height, w, h, scale)
            : nil
        return ResizeResult(image: resized, scale: scale, warning: warning)
    }
}
