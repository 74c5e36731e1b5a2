import Foundation

/// The reconstruction filter used to resample an image.
public enum ResampleFilter: String, Sendable, CaseIterable {
    /// Lanczos with 3 lobes: sharp, with slight ringing; the default for photographs.
    case lanczos3
    /// Exact area averaging: each output pixel is the mean of the input area it covers.
    case box
    /// Catmull–Rom cubic: smoother than Lanczos; a good choice for enlarging.
    case bicubic

    /// Half-width of the kernel in input pixels at scale 1 (box is handled by area overlap).
    var radius: Double {
        switch self {
        case .lanczos3: return 3
        case .box: return 0.5
        case .bicubic: return 2
        }
    }

    /// The kernel's value at `x` (in units of the output-scaled input spacing).
    func kernel(_ x: Double) -> Double {
        let ax = abs(x)
        switch self {
        case .lanczos3:
            guard ax < 3 else { return 0 }
            return sinc(ax) * sinc(ax / 3)
        case .box:
            return ax <= 0.5 ? 1 : 0
        case .bicubic:
            // Catmull–Rom (Keys' cubic with a = −0.5).
            let a = -0.5
            if ax < 1 { return ((a + 2) * ax - (a + 3)) * ax * ax + 1 }
            if ax < 2 { return (((ax - 5) * ax + 8) * ax - 4) * a }
            return 0
        }
    }

    private func sinc(_ x: Double) -> Double {
        guard x > 1e-8 else { return 1 }
        let px = Double.pi * x
        return sin(px) / px
    }
}

/// For each output position along one axis, which input positions contribute and how much.
/// Weights are normalised to sum to 1, so flat areas stay exactly flat.
struct ResampleWeights {
    let taps: Int
    /// First contributing input index per output index.
    var first: [Int]
    /// `taps` weights per output index (unused tail taps are 0).
    var weights: [Float]

    init(inputSize: Int, outputSize: Int, filter: ResampleFilter) {
        let scale = Double(outputSize) / Double(inputSize)
        // When shrinking, the kernel is stretched by 1/scale so that it removes the frequencies
        // the smaller grid cannot hold (otherwise fine detail aliases into moiré).
        let stretch = max(1, 1 / scale)
        let support = filter == .box ? 0.5 / min(scale, 1) + 0.5 : filter.radius * stretch
        taps = Int((2 * support).rounded(.up)) + 2
        first = [Int](repeating: 0, count: outputSize)
        weights = [Float](repeating: 0, count: outputSize * taps)
        var row = [Double](repeating: 0, count: taps)
        for i in 0..<outputSize {
            let centre = (Double(i) + 0.5) / scale
            var lo = max(0, Int((centre - support).rounded(.down)))
            let hi = min(inputSize - 1, Int((centre + support).rounded(.up)))
            if hi - lo + 1 > taps { lo = hi - taps + 1 }
            var total = 0.0
            for t in 0..<taps {
                let j = lo + t
                var w = 0.0
                if j <= hi {
                    if filter == .box {
                        // Overlap of input pixel [j, j+1) with the output pixel's footprint.
                        let half = 0.5 / min(scale, 1)
                        let from = max(Double(j), centre - half), to = min(Double(j + 1), centre + half)
                        w = max(0, to - from)
                    } else {
                        w = filter.kernel((Double(j) + 0.5 - centre) / stretch)
                    }
                }
                row[t] = w
                total += w
            }
            first[i] = lo
            // Taps that fell outside the image are dropped and the rest renormalised (edge clamping
            // would weight the border pixel too heavily).
            let norm = total != 0 ? 1 / total : 0
            for t in 0..<taps { weights[i * taps + t] = Float(row[t] * norm) }
        }
    }
}
