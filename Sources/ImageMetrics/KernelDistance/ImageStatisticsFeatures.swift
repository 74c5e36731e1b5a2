import Foundation
import TensorCore

/// The image features the image-statistics kernel distance (ISKD) is computed on: a fixed, hand-designed
/// descriptor of whole-image statistics, 202 numbers for a 128 px image. No network and no
/// download is involved, nothing is random, and every number has a meaning.
///
/// Why these: the sliced Wasserstein distance already compares *local* patch statistics at four
/// scales, pooled over all images. The kernel distance should see what that misses — each
/// image as a whole: its palette, its composition, its sharpness and its structure, and their
/// co-occurrence within one image. The blocks, in opponent colour space (L = (R+G+B)/3,
/// O1 = (R−G)/2, O2 = (R+G−2B)/4, which decorrelates natural-image colour):
/// - **colour** (70): mean and standard deviation of L, O1, O2; a joint RGB histogram with
///   4×4×4 bins, square-rooted (so the dot product is the Bhattacharyya/Hellinger affinity);
/// - **layout** (48): mean L, O1, O2 on a 4×4 grid (a flower centred on foliage, sky above…);
/// - **detail** (20): per Laplacian band (the three finest of a 4-level pyramid) and opponent
///   channel, the log RMS and log mean absolute value (blur lowers both, noise raises both,
///   their ratio reflects how sparse the detail is); log mean gradient magnitude at two scales;
/// - **structure** (64): gradient orientation histograms (8 unsigned orientations, magnitude
///   weighted, soft-binned) of the luminance on a 2×2 grid at two scales, each normalised to
///   sum 1 and square-rooted: edges and their directions, independent of contrast.
///
/// Images smaller than 32 px get fewer pyramid bands (the detail block shrinks accordingly).
public enum ImageStatisticsFeatures {
    /// The blocks in order, with their sizes for images of this size (used to weight them).
    public static func blockSizes(height: Int, width: Int) -> [(name: String, size: Int)] {
        let bands = bandCount(height: height, width: width)
        return [("colour", 70), ("layout", 48), ("detail", bands * 3 * 2 + 2), ("structure", 64)]
    }

    public static func dimension(height: Int, width: Int) -> Int {
        blockSizes(height: height, width: width).reduce(0) { $0 + $1.size }
    }

    /// Laplacian bands described: those of a pyramid of up to 4 levels whose coarsest is ≥ 4 px,
    /// without the low-pass residual (covered by the layout block).
    static func bandCount(height: Int, width: Int) -> Int {
        var levels = 1, side = min(height, width)
        while levels < 4 && (side + 1) / 2 >= 4 {
            levels += 1
            side = (side + 1) / 2
        }
        return levels - 1
    }

    /// One row of `dimension(height:width:)` features per image, row-major.
    public static func features(of set: ImageSet) -> [Float] {
        let d = dimension(height: set.height, width: set.width)
        let bands = bandCount(height: set.height, width: set.width)
        let pyramid = bands > 0 ? LaplacianPyramid(height: set.height, width: set.width, levels: bands + 1) : nil
        var out = [Float](repeating: 0, count: set.count * d)
        out.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            parallelFor(set.count) { n in
                let row = describe(set, image: n, pyramid: pyramid, bands: bands)
                precondition(row.count == d, "ImageStatisticsFeatures: \(row.count) features, expected \(d)")
                (base + n * d).update(from: row, count: d)
            }
        }
        return out
    }

    static func describe(_ set: ImageSet, image n: Int, pyramid: LaplacianPyramid?, bands: Int) -> [Float] {
        let (h, w) = (set.height, set.width)
        let opponent = opponentPlanes(set.planes(n), height: h, width: w)
        var features: [Float] = []
        features.reserveCapacity(dimension(height: h, width: w))

        // Colour: moments of L, O1, O2, then the joint RGB histogram.
        for c in 0..<3 {
            let (mean, std) = moments(opponent.values, from: c * h * w, count: h * w)
            features += [mean, std]
        }
        features += colourHistogram(set, image: n)

        // Layout: 4×4 grid of mean opponent colours.
        for c in 0..<3 {
            for gy in 0..<4 {
                for gx in 0..<4 {
                    features.append(
                        cellMean(
                            opponent, channel: c, y: (gy * h / 4)..<((gy + 1) * h / 4),
                            x: (gx * w / 4)..<((gx + 1) * w / 4)))
                }
            }
        }

        // Detail: band energies, then gradient magnitudes at two scales.
        var luminance = PlanarImage(channels: 1, height: h, width: w, values: Array(opponent.values[0..<(h * w)]))
        if let pyramid {
            let all = pyramid.bands(of: opponent)
            for b in 0..<bands {
                let band = all[b]
                for c in 0..<3 {
                    let (rms, meanAbs) = energies(band.values, from: c * band.plane, count: band.plane)
                    features += [log(rms + 1e-4), log(meanAbs + 1e-4)]
                }
            }
        }
        var orientations: [Float] = []
        for scale in 0..<2 {
            let (magnitude, histograms) = GradientHistograms.describe(luminance)
            features.append(log(magnitude + 1e-4))
            orientations += histograms
            // The second scale is Gaussian level 1 (half size); tiny images reuse level 0.
            if scale == 0, let pyramid { luminance = pyramid.down(luminance, 0) }
        }
        // Structure.
        features += orientations
        return features
    }

    /// R, G, B planes → L, O1, O2 planes.
    static func opponentPlanes(_ rgb: [Float], height: Int, width: Int) -> PlanarImage {
        let plane = height * width
        var out = [Float](repeating: 0, count: 3 * plane)
        for p in 0..<plane {
            let (r, g, b) = (rgb[p], rgb[plane + p], rgb[2 * plane + p])
            out[p] = (r + g + b) / 3
            out[plane + p] = (r - g) / 2
            out[2 * plane + p] = (r + g - 2 * b) / 4
        }
        return PlanarImage(channels: 3, height: height, width: width, values: out)
    }

    static func moments(_ values: [Float], from start: Int, count: Int) -> (Float, Float) {
        var sum: Double = 0, squares: Double = 0
        for i in start..<(start + count) {
            let v = Double(values[i])
            sum += v
            squares += v * v
        }
        let mean = sum / Double(count)
        return (Float(mean), Float(max(0, squares / Double(count) - mean * mean).squareRoot()))
    }

    static func energies(_ values: [Float], from start: Int, count: Int) -> (Float, Float) {
        var squares: Double = 0, absolute: Double = 0
        for i in start..<(start + count) {
            let v = Double(values[i])
            squares += v * v
            absolute += abs(v)
        }
        return (Float((squares / Double(count)).squareRoot()), Float(absolute / Double(count)))
    }

    static func colourHistogram(_ set: ImageSet, image n: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: 64)
        let start = n * set.bytesPerImage
        for p in stride(from: start, to: start + set.bytesPerImage, by: 3) {
            let bin = Int(set.pixels[p] >> 6) << 4 | Int(set.pixels[p + 1] >> 6) << 2 | Int(set.pixels[p + 2] >> 6)
            counts[bin] += 1
        }
        let total = Float(set.height * set.width)
        return counts.map { (Float($0) / total).squareRoot() }
    }

    static func cellMean(_ image: PlanarImage, channel c: Int, y: Range<Int>, x: Range<Int>) -> Float {
        guard !y.isEmpty, !x.isEmpty else { return 0 }
        var sum: Double = 0
        for yy in y {
            let row = c * image.plane + yy * image.width
            for xx in x { sum += Double(image.values[row + xx]) }
        }
        return Float(sum / Double(y.count * x.count))
    }
}
