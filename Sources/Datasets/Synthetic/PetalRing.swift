import Foundation
import TensorCore

/// One ring of petals of one flower, with each petal's small variations drawn in advance
/// so that shading a pixel only reads numbers.
struct PetalRing: Sendable {
    var shape: PetalShape
    var count: Int
    /// Angle between neighbouring petals, and the angle of petal 0 (flower units, radians).
    var step: Float
    var phase: Float
    /// How many neighbours on each side of the nearest petal can reach a pixel (overlap).
    var neighbours: Int
    /// Petals start at `base` (hidden under the centre) and are `length` long, `halfWidth` wide.
    var base: Float
    var length: Float
    var halfWidth: Float
    /// Per petal: direction, length and width factors, brightness.
    var cosAngle: [Float]
    var sinAngle: [Float]
    var lengthScale: [Float]
    var widthScale: [Float]
    var brightness: [Float]
    var colourBase: ColorRGB
    var colourTip: ColorRGB
    var eye: ColorRGB?
    var eyeExtent: Float
    var veins: Float
    var veinCount: Float
    var speckles: Bool
    /// Darkening towards the petal's sides: petals are cupped, not flat.
    var cup: Float
    /// Depth of the waves along the outline, as a fraction of the petal length (0 = smooth).
    var ruffle: Float

    /// Farthest reach from the flower centre, for skipping pixels the ring cannot touch.
    var extent: Float = 0

    init(
        shape: PetalShape, count: Int, phase: Float, base: Float, tip: Float, width: Float,
        palette: FlowerPalette, depth: Int, species: FlowerSpecies, rng: inout SeededGenerator
    ) {
        self.shape = shape
        self.count = count
        step = 2 * Float.pi / Float(count)
        self.phase = phase
        self.base = base
        length = tip - base
        // Width is a fraction of the spacing between petals measured at mid-length.
        halfWidth = width * Float.pi * (base + length * 0.5) / Float(count)
        if shape == .ray { halfWidth = min(halfWidth, length * 0.16) }
        let wide = halfWidth > 1.2 * Float.pi * (base + length * 0.5) / Float(count)
        neighbours = min(wide ? 2 : 1, (count - 1) / 2)
        cosAngle = []
        sinAngle = []
        lengthScale = []
        widthScale = []
        brightness = []
        for j in 0..<count {
            let jitter = max(-0.15, min(0.15, rng.normal() * 0.06)) * step
            let angle = phase + Float(j) * step + jitter
            cosAngle.append(cos(angle))
            sinAngle.append(sin(angle))
            lengthScale.append(rng.uniform(0.88, 1.0))
            widthScale.append(rng.uniform(0.9, 1.1))
            brightness.append(rng.uniform(0.92, 1.06))
        }
        extent = base + length * (lengthScale.max() ?? 1)
        // Inner rings sit deeper in the bloom, so they are a little darker.
        let shadow = 1 - 0.06 * Float(depth)
        colourBase = palette.petalBase * shadow
        colourTip = palette.petalTip * shadow
        eye = depth == 0 ? palette.eye : nil
        eyeExtent = rng.uniform(0.25, 0.45)
        veins = species.veins
        veinCount = shape == .ray ? 2 : Float(Int(rng.uniform(5, 9)))
        speckles = species.speckles
        cup = shape == .ray ? 0.12 : rng.uniform(0.15, 0.3)
        ruffle = shape == .round || shape == .notched ? rng.uniform(0.01, 0.03) : 0
    }

    /// The colour of petal `j` at local position (u along, v across), `d` its signed distance.
    @inline(__always) func shade(
        j: Int, u: Float, v: Float, d: Float, length len: Float, halfWidth hw: Float,
        pixelsPerUnit: Float, centreRadius: Float, radius r: Float,
        noise: LatticeNoise
    ) -> ColorRGB {
        let t = clamp01((u - base) / len)
        var colour = ColorRGB.mix(colourBase, colourTip, smoothstep(0.1, 0.9, t))
        if let eye {
            colour = ColorRGB.mix(eye, colour, smoothstep(eyeExtent * 0.55, eyeExtent, t))
        }
        let across = min(max(v / hw, -1), 1)
        var light = (1 - cup * across * across) * brightness[j]
        if veins > 0 {
            // Fine patterns fade out before they get narrower than a couple of pixels, or they alias.
            let periodPixels = 2 * hw / veinCount * pixelsPerUnit
            let fade = clamp01(periodPixels * 0.4 - 0.8)
            let wave = 0.5 + 0.5 * cos(across * Float.pi * veinCount)
            let lines = wave * wave * wave  // narrow dark lines with broad gaps between them
            light *= 1 - veins * lines * fade * (0.4 + 0.6 * t)
        }
        // A crease along the midrib.
        let creaseWidth = max(hw * 0.1, 1 / pixelsPerUnit)
        light *= 1 - 0.12 * clamp01(1 - abs(v) / creaseWidth) * t
        if speckles && t < 0.55 {
            let n = noise.value(u * 34 + Float(j) * 7.3, v * 34)
            let fade = clamp01(pixelsPerUnit / 34 * 0.5 - 0.5)
            let spot = smoothstep(0.72, 0.8, n) * (1 - t / 0.55) * fade
            colour = ColorRGB.mix(colour, colour * 0.25, spot)
        }
        // A dark rim separates overlapping petals; the shadow of the centre falls on their bases.
        let rim = clamp01(1 + d / 0.03)
        light *= 1 - 0.28 * rim * rim
        light *= 1 - 0.3 * smoothstep(centreRadius * 1.6, centreRadius * 0.9, r)
        return colour * light
    }
}
