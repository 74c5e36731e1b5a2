import Foundation

/// Orientation histograms of a single-channel image's gradients (central differences, interior
/// pixels): 8 unsigned orientations over [0, π), each pixel's magnitude split linearly between
/// its two nearest orientation bins, on a 2×2 grid of cells; each cell's histogram is normalised
/// to sum 1 and square-rooted. Also returns the mean gradient magnitude.
enum GradientHistograms {
    static let orientations = 8

    static func describe(_ image: PlanarImage) -> (meanMagnitude: Float, histograms: [Float]) {
        let (h, w) = (image.height, image.width)
        var bins = [Double](repeating: 0, count: 4 * orientations)
        guard h >= 3, w >= 3 else { return (0, [Float](repeating: 0, count: bins.count)) }
        var total: Double = 0
        let binWidth = Double.pi / Double(orientations)
        image.values.withUnsafeBufferPointer { v in
            for y in 1..<(h - 1) {
                let cellY = y * 2 / h
                for x in 1..<(w - 1) {
                    let gx = Double(v[y * w + x + 1] - v[y * w + x - 1]) * 0.5
                    let gy = Double(v[(y + 1) * w + x] - v[(y - 1) * w + x]) * 0.5
                    let magnitude = (gx * gx + gy * gy).squareRoot()
                    guard magnitude > 0 else { continue }
                    total += magnitude
                    var angle = atan2(gy, gx)
                    if angle < 0 { angle += Double.pi }
                    let position = angle / binWidth - 0.5
                    let lower = Int(position.rounded(.down))
                    let fraction = position - Double(lower)
                    let cell = (cellY * 2 + x * 2 / w) * orientations
                    bins[cell + (lower + orientations) % orientations] += magnitude * (1 - fraction)
                    bins[cell + (lower + 1 + orientations) % orientations] += magnitude * fraction
                }
            }
        }
        var out = [Float](repeating: 0, count: bins.count)
        for cell in 0..<4 {
            let range = (cell * orientations)..<((cell + 1) * orientations)
            let sum = bins[range].reduce(0, +)
            guard sum > 0 else { continue }
            for i in range { out[i] = Float((bins[i] / sum).squareRoot()) }
        }
        return (Float(total / Double((h - 2) * (w - 2))), out)
    }
}
