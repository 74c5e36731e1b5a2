import Foundation
import TensorCore

/// The out-of-focus surroundings of a flower photograph: a soft vertical gradient, large
/// blurred blotches of foliage, a few bokeh discs and a gentle vignette.
struct Backdrop: Sendable {
    struct Bokeh: Sendable {
        var x: Float, y: Float, radius: Float, alpha: Float
        var colour: ColorRGB
        /// Where the rim starts, as a fraction of the radius: 0.8 for a crisp bokeh disc,
        /// much less for a far-away flower melted into a blob.
        var softness: Float
    }

    var top: ColorRGB
    var bottom: ColorRGB
    var light: ColorRGB
    var dark: ColorRGB
    var noiseScale: Float
    var noiseOffsetX: Float
    var noiseOffsetY: Float
    var bokeh: [Bokeh]
    var vignette: Float

    /// Colour families seen behind flowers: (top, bottom, light foliage, dark foliage).
    private static let families: [(ColorRGB, ColorRGB, ColorRGB, ColorRGB)] = [
        // Garden greens.
        (
            ColorRGB(bytes: 40, 75, 30), ColorRGB(bytes: 65, 100, 40), ColorRGB(bytes: 120, 160, 70),
            ColorRGB(bytes: 20, 40, 15)
        ),
        // Sunny meadow.
        (
            ColorRGB(bytes: 120, 150, 70), ColorRGB(bytes: 90, 125, 45), ColorRGB(bytes: 180, 200, 110),
            ColorRGB(bytes: 50, 80, 30)
        ),
        // Soil and leaf litter.
        (
            ColorRGB(bytes: 70, 85, 40), ColorRGB(bytes: 95, 75, 50), ColorRGB(bytes: 140, 120, 80),
            ColorRGB(bytes: 45, 35, 25)
        ),
        // Sky above foliage.
        (
            ColorRGB(bytes: 150, 185, 220), ColorRGB(bytes: 70, 110, 50), ColorRGB(bytes: 190, 210, 230),
            ColorRGB(bytes: 40, 70, 30)
        ),
        // Deep shade (flash photographs).
        (
            ColorRGB(bytes: 15, 25, 12), ColorRGB(bytes: 30, 45, 20), ColorRGB(bytes: 60, 85, 35),
            ColorRGB(bytes: 5, 10, 5)
        ),
    ]

    /// `flowerColour` tints the out-of-focus flowers that some photographs have behind the subject.
    init(flowerColour: ColorRGB, rng: inout SeededGenerator) {
        let family = Backdrop.families[rng.integer(below: Backdrop.families.count)]
        func jitter(_ c: ColorRGB, _ rng: inout SeededGenerator) -> ColorRGB {
            (c * rng.uniform(0.85, 1.15)).hueRotated(rng.normal() * 0.12).clamped
        }
        top = jitter(family.0, &rng)
        bottom = jitter(family.1, &rng)
        light = jitter(family.2, &rng)
        dark = jitter(family.3, &rng)
        noiseScale = rng.uniform(2.5, 5)
        noiseOffsetX = rng.uniform(0, 100)
        noiseOffsetY = rng.uniform(0, 100)
        bokeh = []
        let bokehCount = rng.integer(below: 6)
        for _ in 0..<bokehCount {
            let tint = ColorRGB.mix(light, ColorRGB(0.95, 0.97, 0.85), rng.uniform(0.2, 0.8))
            bokeh.append(
                Bokeh(
                    x: rng.uniform(0, 1), y: rng.uniform(0, 1), radius: rng.uniform(0.03, 0.1),
                    alpha: rng.uniform(0.12, 0.35), colour: tint, softness: 0.8))
        }
        if rng.uniform() < 0.35 {
            for _ in 0..<(1 + rng.integer(below: 3)) {
                // Keep them towards the edges, where the subject does not hide them.
                let angle = rng.uniform(0, 2 * Float.pi), distance = rng.uniform(0.35, 0.6)
                bokeh.append(
                    Bokeh(
                        x: 0.5 + cos(angle) * distance, y: 0.5 + sin(angle) * distance,
                        radius: rng.uniform(0.1, 0.2), alpha: rng.uniform(0.35, 0.6),
                        colour: flowerColour * rng.uniform(0.7, 0.95), softness: 0.25))
            }
        }
        vignette = rng.uniform(0.1, 0.45)
    }

    /// The foliage noise sampled on a grid over the picture: it is smooth, so interpolating a
    /// few thousand samples costs far less than evaluating it at every pixel.
    func foliage(noise: LatticeNoise, resolution: Int) -> SmoothField {
        SmoothField(resolution: resolution) { x, y in
            noise.fractal(x * noiseScale + noiseOffsetX, y * noiseScale + noiseOffsetY)
        }
    }

    /// The colour at image position (x, y) in [0, 1]², y downwards.
    @inline(__always) func colour(x: Float, y: Float, foliage: SmoothField) -> ColorRGB {
        var c = ColorRGB.mix(top, bottom, smoothstep(0, 1, y))
        let n = foliage.value(x, y)
        c = ColorRGB.mix(c, light, smoothstep(0.5, 0.8, n) * 0.85)
        c = ColorRGB.mix(c, dark, smoothstep(0.45, 0.2, n) * 0.8)
        for b in bokeh {
            let dx = x - b.x, dy = y - b.y
            let d2 = dx * dx + dy * dy
            if d2 < b.radius * b.radius {
                // Bokeh discs have soft but definite rims.
                let a = smoothstep(b.radius, b.radius * b.softness, d2.squareRoot()) * b.alpha
                c = ColorRGB.mix(c, b.colour, a)
            }
        }
        let vx = x - 0.5, vy = y - 0.5
        return c * (1 - vignette * (vx * vx + vy * vy) * 2)
    }
}

/// A smooth function on [0, 1]² stored on a (resolution + 1)² grid and read back bilinearly.
struct SmoothField {
    private let resolution: Int
    private let scale: Float
    private var samples: [Float]

    init(resolution: Int, _ function: (Float, Float) -> Float) {
        self.resolution = max(1, resolution)
        scale = Float(self.resolution)
        let n = self.resolution + 1
        samples = [Float](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in 0..<n { samples[j * n + i] = function(Float(i) / scale, Float(j) / scale) }
        }
    }

    @inline(__always) func value(_ x: Float, _ y: Float) -> Float {
        let gx = min(max(x * scale, 0), scale), gy = min(max(y * scale, 0), scale)
        let i = min(Int(gx), resolution - 1), j = min(Int(gy), resolution - 1)
        let tx = gx - Float(i), ty = gy - Float(j)
        let n = resolution + 1
        let a = samples[j * n + i], b = samples[j * n + i + 1]
        let c = samples[(j + 1) * n + i], d = samples[(j + 1) * n + i + 1]
        let top = a + (b - a) * tx, bottom = c + (d - c) * tx
        return top + (bottom - top) * ty
    }
}
