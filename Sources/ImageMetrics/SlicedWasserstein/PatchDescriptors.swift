import TensorCore

/// Random patches of one Laplacian level of every image in a set, one row per patch
/// (channel-major: C × patch × patch values), normalised per colour channel over the whole set.
public struct PatchDescriptors: Sendable {
    /// Patches (rows).
    public let count: Int
    /// Values per patch (3 × patchSize²).
    public let dimension: Int
    /// `count × dimension`, row-major.
    public internal(set) var values: [Float]

    /// Extracts `patchesPerImage` patches of band `level` from every image. Patch centres are
    /// drawn from a stream fixed by (seed, level, image index): identical sets get identical
    /// patches, and the work can be split over threads without changing a bit.
    static func extract(
        from set: ImageSet, level: Int, pyramid: LaplacianPyramid,
        options: SlicedWassersteinOptions
    ) -> PatchDescriptors {
        let p = options.patchSize, half = p / 2
        let perImage = options.patchesPerImage
        let dimension = 3 * p * p
        var values = [Float](repeating: 0, count: set.count * perImage * dimension)
        values.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            parallelFor(set.count) { n in
                let image = PlanarImage(channels: 3, height: set.height, width: set.width, values: set.planes(n))
                let band = pyramid.band(level, of: image)
                let (h, w) = (band.height, band.width)
                var random = SeedMixing.generator(options.seed, StreamTag.swdPatches.rawValue, UInt64(level), UInt64(n))
                band.values.withUnsafeBufferPointer { src in
                    for k in 0..<perImage {
                        let cy = half + random.integer(below: h - 2 * half)
                        let cx = half + random.integer(below: w - 2 * half)
                        var row = base + (n * perImage + k) * dimension
                        for c in 0..<3 {
                            for dy in -half...half {
                                let from = src.baseAddress! + c * h * w + (cy + dy) * w + cx - half
                                row.update(from: from, count: p)
                                row += p
                            }
                        }
                    }
                }
            }
        }
        var descriptors = PatchDescriptors(count: set.count * perImage, dimension: dimension, values: values)
        descriptors.normalizePerChannel()
        return descriptors
    }

    /// Subtracts each colour channel's mean and divides by its standard deviation (population),
    /// both taken over all patches and positions, as ProGAN's `finalize_descriptors`. A channel
    /// with no variation at all is only centred.
    mutating func normalizePerChannel() {
        let perChannel = dimension / 3
        let rows = count
        values.withUnsafeMutableBufferPointer { v in
            for c in 0..<3 {
                var sum: Double = 0, squares: Double = 0
                for r in 0..<rows {
                    let row = v.baseAddress! + r * dimension + c * perChannel
                    var s: Float = 0, q: Float = 0
                    for i in 0..<perChannel {
                        s += row[i]
                        q += row[i] * row[i]
                    }
                    sum += Double(s)
                    squares += Double(q)
                }
                let n = Double(rows * perChannel)
                let mean = sum / n
                let variance = max(0, squares / n - mean * mean)
                let std = variance.squareRoot()
                let shift = Float(mean), scale = std > 1e-12 ? Float(1 / std) : 1
                for r in 0..<rows {
                    let row = v.baseAddress! + r * dimension + c * perChannel
                    for i in 0..<perChannel { row[i] = (row[i] - shift) * scale }
                }
            }
        }
    }
}
