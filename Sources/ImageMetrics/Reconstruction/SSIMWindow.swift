import Foundation

/// The SSIM computation for one image size: local means, variances and covariance under a
/// normalised 11×11 Gaussian window (σ = 1.5, separable), over the positions where the window
/// fits inside the image ("valid", as in the reference implementation).
struct SSIMWindow {
    static let size = 11
    static let sigma = 1.5
    static let c1 = 0.01 * 0.01
    static let c2 = 0.03 * 0.03

    let height: Int
    let width: Int
    let weights: [Double]

    static func checkSize(height: Int, width: Int) throws {
        guard height >= size, width >= size else {
            throw ImageMetricsError(.tooSmall, "SSIM needs images of at least \(size)×\(size), got \(width)×\(height)")
        }
    }

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        let half = Double(Self.size / 2)
        let raw = (0..<Self.size).map {
            exp(-(Double($0) - half) * (Double($0) - half) / (2 * Self.sigma * Self.sigma))
        }
        let sum = raw.reduce(0, +)
        weights = raw.map { $0 / sum }
    }

    /// Mean SSIM over channels of two images given as channel planes in [0, 1].
    func ssim(_ a: [Float], _ b: [Float], channels: Int) -> Double {
        let plane = height * width
        var total = 0.0
        for c in 0..<channels {
            // Double throughout: the variances are small differences of larger moments.
            let x = a[(c * plane)..<((c + 1) * plane)].map(Double.init)
            let y = b[(c * plane)..<((c + 1) * plane)].map(Double.init)
            let (mx, my) = (filter(x), filter(y))
            let (sxx, syy, sxy) = (filter(zip(x, x).map(*)), filter(zip(y, y).map(*)), filter(zip(x, y).map(*)))
            var sum = 0.0
            for i in 0..<mx.count {
                let (ux, uy) = (mx[i], my[i])
                let vx = sxx[i] - ux * ux, vy = syy[i] - uy * uy, cxy = sxy[i] - ux * uy
                sum +=
                    ((2 * ux * uy + Self.c1) * (2 * cxy + Self.c2))
                    / ((ux * ux + uy * uy + Self.c1) * (vx + vy + Self.c2))
            }
            total += sum / Double(mx.count)
        }
        return total / Double(channels)
    }

    /// Valid separable Gaussian filtering: (H − 10) × (W − 10) outputs.
    private func filter(_ plane: [Double]) -> [Double] {
        let k = Self.size
        let (oh, ow) = (height - k + 1, width - k + 1)
        var rows = [Double](repeating: 0, count: height * ow)
        for y in 0..<height {
            for x in 0..<ow {
                var s = 0.0
                for t in 0..<k { s += weights[t] * plane[y * width + x + t] }
                rows[y * ow + x] = s
            }
        }
        var out = [Double](repeating: 0, count: oh * ow)
        for y in 0..<oh {
            for t in 0..<k {
                let w = weights[t]
                let from = (y + t) * ow
                for x in 0..<ow { out[y * ow + x] += w * rows[from + x] }
            }
        }
        return out
    }
}
