import Foundation
import ImageMetrics

/// Procedural test pictures with the ingredients the metrics look at: a colour gradient
/// background, a few soft-edged coloured discs, and a fine stripe texture, all random per image.
enum TestImages {
    static func make(count: Int, size: Int, seed: UInt64) -> ImageSet {
        var random = TestRandom(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * size * size * 3)
        let s = Double(size)
        for n in 0..<count {
            let top = (0..<3).map { _ in random.uniform(0.1, 0.9) }
            let bottom = (0..<3).map { _ in random.uniform(0.1, 0.9) }
            let discs = (0..<3).map { _ in
                (
                    x: random.uniform(0.2, 0.8) * s, y: random.uniform(0.2, 0.8) * s, r: random.uniform(0.12, 0.3) * s,
                    colour: (0..<3).map { _ in random.uniform(0, 1) }
                )
            }
            let stripe = (
                angle: random.uniform(0, Double.pi), period: random.uniform(2.5, 5),
                amplitude: random.uniform(0.04, 0.1)
            )
            for y in 0..<size {
                for x in 0..<size {
                    let t = Double(y) / (s - 1)
                    var colour = (0..<3).map { top[$0] * (1 - t) + bottom[$0] * t }
                    for disc in discs {
                        let d =
                            ((Double(x) - disc.x) * (Double(x) - disc.x) + (Double(y) - disc.y) * (Double(y) - disc.y))
                            .squareRoot()
                        let inside = min(max(disc.r - d + 0.5, 0), 1)
                        for c in 0..<3 { colour[c] = colour[c] * (1 - inside) + disc.colour[c] * inside }
                    }
                    let phase =
                        (Double(x) * cos(stripe.angle) + Double(y) * sin(stripe.angle)) * 2 * Double.pi / stripe.period
                    let texture = stripe.amplitude * sin(phase)
                    for c in 0..<3 {
                        let v = min(max(colour[c] + texture, 0), 1)
                        pixels[((n * size + y) * size + x) * 3 + c] = UInt8((v * 255).rounded())
                    }
                }
            }
        }
        return try! ImageSet(count: count, height: size, width: size, pixels: pixels)
    }

    /// A set of one flat colour.
    static func flat(count: Int, size: Int, value: UInt8) -> ImageSet {
        try! ImageSet(
            count: count, height: size, width: size, pixels: [UInt8](repeating: value, count: count * size * size * 3))
    }
}

/// Known ways of spoiling images, each with a strength.
enum Degradation {
    /// Gaussian noise of standard deviation `sigma` 8-bit levels.
    static func noise(_ set: ImageSet, sigma: Double, seed: UInt64 = 99) -> ImageSet {
        var random = TestRandom(seed: seed)
        return map(set) { v, _ in v + sigma * random.normal() }
    }

    /// Gaussian blur of standard deviation `sigma` pixels (separable, mirrored borders).
    static func blur(_ set: ImageSet, sigma: Double) -> ImageSet {
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        let (h, w) = (set.height, set.width)
        func mirror(_ i: Int, _ n: Int) -> Int {
            var j = i
            while j < 0 || j >= n { j = j < 0 ? -j : 2 * (n - 1) - j }
            return j
        }
        var out = [UInt8](repeating: 0, count: set.pixels.count)
        for n in 0..<set.count {
            for c in 0..<3 {
                func at(_ y: Int, _ x: Int) -> Double { Double(set.pixels[((n * h + y) * w + x) * 3 + c]) }
                var rows = [Double](repeating: 0, count: h * w)
                for y in 0..<h {
                    for x in 0..<w {
                        var v = 0.0
                        for k in -radius...radius { v += kernel[k + radius] * at(y, mirror(x + k, w)) }
                        rows[y * w + x] = v
                    }
                }
                for y in 0..<h {
                    for x in 0..<w {
                        var v = 0.0
                        for k in -radius...radius { v += kernel[k + radius] * rows[mirror(y + k, h) * w + x] }
                        out[((n * h + y) * w + x) * 3 + c] = UInt8(min(max(v.rounded(), 0), 255))
                    }
                }
            }
        }
        return try! ImageSet(count: set.count, height: h, width: w, pixels: out)
    }

    /// Rotation of every colour about the grey axis by `degrees` (a hue shift that keeps grey
    /// grey): it changes each channel's values and how the channels go together.
    static func colourShift(_ set: ImageSet, degrees: Double) -> ImageSet {
        let a = degrees * Double.pi / 180
        let (cosA, sinA) = (cos(a), sin(a))
        let k = 1 / 3.0.squareRoot()
        // Rodrigues' rotation matrix about the unit axis (k, k, k).
        let m: [[Double]] = (0..<3).map { i in
            (0..<3).map { j in
                let identity = i == j ? 1.0 : 0.0
                let cross: Double = (i == j) ? 0 : (((j - i + 3) % 3 == 1) ? -k : k)
                return cosA * identity + sinA * cross + (1 - cosA) * k * k
            }
        }
        var out = set.pixels
        for p in stride(from: 0, to: out.count, by: 3) {
            let v = (0..<3).map { Double(set.pixels[p + $0]) - 127.5 }
            for i in 0..<3 {
                let r = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2] + 127.5
                out[p + i] = UInt8(min(max(r.rounded(), 0), 255))
            }
        }
        return try! ImageSet(count: set.count, height: set.height, width: set.width, pixels: out)
    }

    private static func map(_ set: ImageSet, _ f: (Double, Int) -> Double) -> ImageSet {
        var out = set.pixels
        for i in 0..<out.count { out[i] = UInt8(min(max(f(Double(set.pixels[i]), i).rounded(), 0), 255)) }
        return try! ImageSet(count: set.count, height: set.height, width: set.width, pixels: out)
    }

    /// The three strengths of each degradation used by the monotonicity tests.
    static let noiseLevels = [4.0, 10.0, 25.0]
    static let blurLevels = [0.6, 1.2, 2.4]
    static let colourLevels = [10.0, 25.0, 60.0]

    /// The set degraded each way at each strength, weakest first.
    static func ladders(_ set: ImageSet) -> [(name: String, sets: [ImageSet])] {
        [
            ("noise", noiseLevels.map { noise(set, sigma: $0) }),
            ("blur", blurLevels.map { blur(set, sigma: $0) }),
            ("colour shift", colourLevels.map { colourShift(set, degrees: $0) }),
        ]
    }
}
