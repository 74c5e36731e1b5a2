import FileFormats

/// Conversion between 8-bit RGB images and the float batches networks consume:
/// NCHW layout (image, channel, row, column), values in [-1, 1] (0 ↦ -1, 255 ↦ 1).
public enum ImageTensorConversion {
    /// A batch of equally sized images as NCHW floats in [-1, 1].
    /// - Throws: `DatasetError.invalidArgument` if the images differ in size.
    public static func nchw(from images: [RGBImage]) throws -> [Float] {
        guard let first = images.first else { return [] }
        let (w, h) = (first.width, first.height)
        if let odd = images.firstIndex(where: { $0.width != w || $0.height != h }) {
            throw DatasetError(
                .invalidArgument,
                "batch images must share one size: image 0 is \(w)×\(h), image \(odd) is \(images[odd].width)×\(images[odd].height)"
            )
        }
        var out = [Float](repeating: 0, count: images.count * 3 * w * h)
        out.withUnsafeMutableBufferPointer { dst in
            for (n, image) in images.enumerated() {
                image.pixels.withUnsafeBufferPointer { src in
                    writePlanar(src, into: dst, offset: n * 3 * w * h, plane: w * h)
                }
            }
        }
        return out
    }

    /// Raw interleaved bytes (`count` images of `height` × `width` × 3, HWC) as NCHW floats in [-1, 1].
    public static func nchw(fromHWC bytes: [UInt8], count: Int, height: Int, width: Int) throws -> [Float] {
        guard let total = elementCount(count, height, width), bytes.count == total else {
            throw DatasetError(
                .invalidArgument,
                "\(bytes.count) bytes are not \(count) HWC images of \(width)×\(height)×3")
        }
        let plane = width * height
        var out = [Float](repeating: 0, count: bytes.count)
        out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                for n in 0..<count {
                    let image = UnsafeBufferPointer(rebasing: src[(n * plane * 3)..<((n + 1) * plane * 3)])
                    writePlanar(image, into: dst, offset: n * 3 * plane, plane: plane)
                }
            }
        }
        return out
    }

    /// NCHW floats back to interleaved bytes: clamped to [-1, 1], then rounded to the nearest level.
    public static func hwcBytes(fromNCHW values: [Float], count: Int, height: Int, width: Int) throws -> [UInt8] {
        guard let total = elementCount(count, height, width), values.count == total else {
            throw DatasetError(
                .invalidArgument,
                "\(values.count) floats are not \(count) NCHW images of 3×\(height)×\(width)")
        }
        let plane = width * height
        var out = [UInt8](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for n in 0..<count {
                    let s = n * 3 * plane
                    for p in 0..<plane {
                        for c in 0..<3 {
                            var v = src[s + c * plane + p]
                            // NaN compares false both ways: map it to mid-grey rather than trap.
                            if !(v >= -1) { v = v.isNaN ? 0 : -1 }
                            if v > 1 { v = 1 }
                            dst[(n * plane + p) * 3 + c] = UInt8((v + 1) * 127.5 + 0.5)
                        }
                    }
                }
            }
        }
        return out
    }

    /// NCHW floats back to images (see `hwcBytes(fromNCHW:count:height:width:)`).
    public static func images(fromNCHW values: [Float], count: Int, height: Int, width: Int) throws -> [RGBImage] {
        let bytes = try hwcBytes(fromNCHW: values, count: count, height: height, width: width)
        let size = height * width * 3
        return (0..<count).map {
            RGBImage(width: width, height: height, pixels: Array(bytes[($0 * size)..<(($0 + 1) * size)]))
        }
    }

    /// count × height × width × 3, or nil if negative or too large to exist.
    private static func elementCount(_ count: Int, _ height: Int, _ width: Int) -> Int? {
        guard count >= 0, height >= 0, width >= 0 else { return nil }
        var total = 3
        for factor in [count, height, width] {
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = product
        }
        return total
    }

    private static func writePlanar(
        _ src: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutableBufferPointer<Float>,
        offset: Int, plane: Int
    ) {
        let scale: Float = 2.0 / 255.0
        for p in 0..<plane {
            dst[offset + p] = Float(src[p * 3]) * scale - 1
            dst[offset + plane + p] = Float(src[p * 3 + 1]) * scale - 1
            dst[offset + 2 * plane + p] = Float(src[p * 3 + 2]) * scale - 1
        }
    }
}
