import TensorCore

/// A set of equally sized RGB images: the one input type of every metric in this module.
///
/// Pixels are 8-bit, rows top to bottom, channels interleaved (N×H×W×3, "HWC"), because that
/// is what PNG files, the dataset cache and any saved sample hold. Network outputs (float NCHW
/// in [-1, 1]) are converted with `init(signedNCHW:…)` or `init(tensor:)`, which round to the
/// nearest 8-bit level exactly as writing a PNG would: a set scored in memory and the same set
/// scored after a round trip through PNG files get identical numbers.
public struct ImageSet: Sendable, Equatable {
    public let count: Int
    public let height: Int
    public let width: Int
    /// `count × height × width × 3` bytes.
    public let pixels: [UInt8]

    public var bytesPerImage: Int { height * width * 3 }

    /// - Throws: `ImageMetricsError.invalidShape` if the sizes are negative or do not match the bytes.
    public init(count: Int, height: Int, width: Int, pixels: [UInt8]) throws {
        guard count >= 0, height > 0, width > 0 else {
            throw ImageMetricsError(.invalidShape, "\(count) images of \(width)×\(height): sizes must be positive")
        }
        let (perImage, o1) = height.multipliedReportingOverflow(by: width * 3)
        let (total, o2) = perImage.multipliedReportingOverflow(by: count)
        guard !o1, !o2, pixels.count == total else {
            throw ImageMetricsError(
                .invalidShape, "\(pixels.count) bytes are not \(count) RGB images of \(width)×\(height)")
        }
        self.count = count
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// Images as float NCHW in [-1, 1] (the networks' convention): clamped to [-1, 1] and rounded
    /// to the nearest of 256 levels (−1 ↦ 0, 1 ↦ 255).
    /// - Throws: `ImageMetricsError.nonFinite` if any value is NaN or infinite (a diverged model
    ///   should fail loudly rather than be scored as grey), `.invalidShape` on a size mismatch.
    public init(signedNCHW values: [Float], count: Int, height: Int, width: Int) throws {
        let plane = height * width
        guard count >= 0, height > 0, width > 0, values.count == count * 3 * plane else {
            throw ImageMetricsError(
                .invalidShape, "\(values.count) floats are not \(count) NCHW images of 3×\(height)×\(width)")
        }
        var out = [UInt8](repeating: 0, count: values.count)
        var nonFinite = 0
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for n in 0..<count {
                    for c in 0..<3 {
                        let from = (n * 3 + c) * plane
                        for p in 0..<plane {
                            let v = src[from + p]
                            if !v.isFinite {
                                nonFinite += 1
                                continue
                            }
                            let clamped = min(max(v, -1), 1)
                            dst[(n * plane + p) * 3 + c] = UInt8((clamped + 1) * 127.5 + 0.5)
                        }
                    }
                }
            }
        }
        guard nonFinite == 0 else {
            throw ImageMetricsError(.nonFinite, "\(nonFinite) of \(values.count) pixel values are NaN or infinite")
        }
        try self.init(count: count, height: height, width: width, pixels: out)
    }

    /// A tensor of shape [N, 3, H, W] with values in [-1, 1] (see `init(signedNCHW:…)`).
    public init(tensor: Tensor) throws {
        guard tensor.rank == 4, tensor.shape[1] == 3 else {
            throw ImageMetricsError(.invalidShape, "expected an image tensor [N, 3, H, W], got \(tensor.shape)")
        }
        try self.init(
            signedNCHW: tensor.values, count: tensor.shape[0], height: tensor.shape[2], width: tensor.shape[3])
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        let bytes = bytesPerImage
        var out = [UInt8](repeating: 0, count: indices.count * bytes)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "ImageSet.subset: index \(i) outside 0..<\(count)")
                    UnsafeMutableRawPointer(dst.baseAddress! + k * bytes)
                        .copyMemory(from: src.baseAddress! + i * bytes, byteCount: bytes)
                }
            }
        }
        return try! ImageSet(count: indices.count, height: height, width: width, pixels: out)
    }

    /// The first `n` images (all of them if there are fewer).
    public func prefix(_ n: Int) -> ImageSet {
        n >= count ? self : subset(Array(0..<max(0, n)))
    }

    /// Image `index` as three planes (R, G, B) of `height × width` floats in [0, 1].
    public func planes(_ index: Int) -> [Float] {
        let plane = height * width
        var out = [Float](repeating: 0, count: 3 * plane)
        let scale: Float = 1 / 255
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let base = index * plane * 3
                for p in 0..<plane {
                    dst[p] = Float(src[base + 3 * p]) * scale
                    dst[plane + p] = Float(src[base + 3 * p + 1]) * scale
                    dst[2 * plane + p] = Float(src[base + 3 * p + 2]) * scale
                }
            }
        }
        return out
    }

    /// Checks that both sets hold images and that their images have the same size.
    static func checkComparable(_ a: ImageSet, _ b: ImageSet, metric: String) throws {
        guard a.count > 0, b.count > 0 else {
            throw ImageMetricsError(.emptySet, "\(metric) needs images in both sets, got \(a.count) and \(b.count)")
        }
        guard a.height == b.height, a.width == b.width else {
            throw ImageMetricsError(
                .mismatchedSets,
                "\(metric) compares images of one size, got \(a.width)×\(a.height) and \(b.width)×\(b.height)")
        }
    }
}
