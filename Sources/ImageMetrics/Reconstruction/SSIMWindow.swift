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
    let weights: [Float]

    static func checkSize(height: Int, width: Int) throws {
        guard height >= size, width >= size else {
            throw ImageMetricsError(.tooSmall, "SSIM needs images of at least \(size)×\(size), got \(width)×\(height)")
        }
    }

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        let half = Double(Self.size / 2)
        let raw = (0..<Self.size).map { exp(-(Double($0) - half) * (Double($0) - half) / (2 * Self.sigma * Self.sigma)) }
        let sum = raw.reduce(0, +)
        weights = raw.map { Float($0 / sum) }
    }

    /// Mean SSIM over channels of two images given as channel planes in [0, 1].
    func ssim(_ a: [Float], _ b: [Float], channels: Int) -> Double {
        let plane = height * width
        var total = 0.0
        for c in 0..<channels {
            let x = Array(a[(c * plane)..<((c + 1) * plane)]), y = Array(b[(c * plane)..<((c + 1) * plane)])
            var xx = x, yy = y, xy = x
            for i in 0..<plane {
                xx[i] = x[i] * x[i]
                yy[i] = y[i] * y[i]
                xy[i] = x[i] * y[i]
            }
            let (mx, my) = (filter(x), filter(y))
            let (sxx, syy, sxy) = (filter(xx), filter(yy), filter(xy))
            var sum = 0.0
            for i in 0..<mx.count {
                let (ux, uy) = (Double(mx[i]), Double(my[i]))
                let vx = Double(sxx[i]) - ux * ux, vy = Double(syy[i]) - uy * uy, cxy = Double(sxy[i]) - ux * uy
                sum += ((2 * ux * uy + Self.c1) * (2 * cxy + Self.c2)) / ((ux * ux + uy * uy + Self.c1) * (vx + vy + Self.c2))
            }
            total += sum / Double(mx.count)
        }
        return total / Double(channels)
    }

    /// Valid separable Gaussian filtering: (H − 10) × (W − 10) outputs.
    private func filter(_ plane: [Float]) -> [Float] {
        let k = Self.size
        let (oh, ow) = (height - k + 1, width - k + 1)
        var rows = [Float](repeating: 0, count: height * ow)
        for y in 0..<height {
            for x in 0..<ow {
                var s: Float = 0
                for t in 0..<k { s += weights[t] * plane[y * width + x + t] }
                rows[y * ow + x] = s
            }
        }
        var out = [Float](repeating: 0, count: oh * ow)
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
