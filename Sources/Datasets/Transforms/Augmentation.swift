import FileFormats
import Foundation
import TensorCore

/// Random and deterministic augmentations for training images.
public enum Augmentation {
    /// The mirror image (left and right swapped).
    public static func horizontalFlip(_ image: RGBImage) -> RGBImage {
        var out = image.pixels
        let w = image.width
        for y in 0..<image.height {
            let row = y * w * 3
            for x in 0..<w {
                let s = row + x * 3, d = row + (w - 1 - x) * 3
                out[d] = image.pixels[s]
                out[d + 1] = image.pixels[s + 1]
                out[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: w, height: image.height, pixels: out)
    }

    /// Flips with probability `probability`, drawing from `rng`.
    public static func randomHorizontalFlip(
        _ image: RGBImage, probability: Float = 0.5,
        rng: inout SeededGenerator
    ) -> RGBImage {
        rng.uniform() < probability ? horizontalFlip(image) : image
    }
}

/// Random resized crop with torchvision's semantics: pick an area fraction in `scale` and an
/// aspect ratio (width / height, log-uniform) in `ratio`, place that crop uniformly at random
/// (ten tries), else fall back to the largest centred crop with a ratio in range; then resize
/// the crop to `size` × `size`. Deterministic given the generator's state.
public struct RandomResizedCrop: Sendable {
    public var size: Int
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>
    public var filter: ResampleFilter

    public init(
        size: Int, scale: ClosedRange<Double> = 0.08...1.0,
        ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0), filter: ResampleFilter = .lanczos3
    ) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
        self.filter = filter
    }

    /// Whether `scale` and `ratio` describe possible crops.
    var settingsAreValid: Bool {
        scale.lowerBound > 0 && scale.upperBound <= 1 && ratio.lowerBound > 0 && ratio.upperBound.isFinite
    }

    /// The crop rectangle for an image of `width` × `height`, drawn from `rng`.
    /// (Invalid settings or an empty image give the whole image; `apply` reports them as errors.)
    public func rect(width: Int, height: Int, rng: inout SeededGenerator) -> CropRect {
        guard width > 0, height > 0, settingsAreValid else {
            return CropRect(x: 0, y: 0, width: max(0, width), height: max(0, height))
        }
        let area = Double(width) * Double(height)
        let logLow = log(ratio.lowerBound), logHigh = log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * Double(rng.uniform()))
            let aspect = exp(logLow + (logHigh - logLow) * Double(rng.uniform()))
            let w = Int((target * aspect).squareRoot().rounded())
            let h = Int((target / aspect).squareRoot().rounded())
            if w > 0 && h > 0 && w <= width && h <= height {
                let y = rng.integer(below: height - h + 1)
                let x = rng.integer(below: width - w + 1)
                return CropRect(x: x, y: y, width: w, height: h)
            }
        }
        // Fallback: the whole image, narrowed to the nearest allowed aspect ratio.
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = max(1, min(height, Int((Double(w) / ratio.lowerBound).rounded())))
        } else if inRatio > ratio.upperBound {
            w = max(1, min(width, Int((Double(h) * ratio.upperBound).rounded())))
        }
        return CropRect(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    /// A random crop of `image`, resized to `size` × `size`.
    /// - Throws: `DatasetError.invalidArgument` for an empty image or invalid settings.
    public func apply(_ image: RGBImage, rng: inout SeededGenerator) throws -> RGBImage {
        guard size > 0, size <= Resampler.maximumSide, settingsAreValid else {
            throw DatasetError(
                .invalidArgument,
                "random resized crop needs size > 0, scale in (0, 1] and ratio > 0; got size \(size), scale \(scale), ratio \(ratio)"
            )
        }
        guard image.width > 0 && image.height > 0 else {
            throw DatasetError(.invalidArgument, "cannot crop an empty \(image.width)×\(image.height) image")
        }
        let r = rect(width: image.width, height: image.height, rng: &rng)
        return try Resampler.resize(try Cropper.crop(image, to: r), width: size, height: size, filter: filter)
    }
}
