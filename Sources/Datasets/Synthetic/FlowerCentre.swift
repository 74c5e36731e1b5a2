import Foundation
import TensorCore

/// The middle of a flower: a seed disc, a dome, a bud swirl, or a ring of stamens.
struct FlowerCentre: Sendable {
    var style: CentreStyle
    var radius: Float
    var inner: ColorRGB
    var outer: ColorRGB
    // Seed disc: a Vogel-like lattice from two crossing spiral families (Fibonacci numbers f1, f2).
    var seedCount: Float
    var family1: Float
    var family2: Float
    var drift1: Float
    var drift2: Float
    // Stamens: `stamenCount` anthers at `stamenReach` on thin filaments.
    var stamenCount: Int
    var stamenReach: Float
    var stamenPhase: Float
    var antherRadius: Float
    var filament: ColorRGB

    /// Farthest reach from the flower centre.
    var extent: Float { style == .stamens ? stamenReach + antherRadius : radius }

    init(species: FlowerSpecies, palette: FlowerPalette, rng: inout SeededGenerator) {
        style = species.centre
        radius = rng.uniform(species.centreRadius.lowerBound, species.centreRadius.upperBound)
        inner = palette.centreInner
        outer = palette.centreOuter
        // About one seed per 0.045 × 0.045 flower units; the visible spiral families are the
        // Fibonacci pair whose spirals cross at roughly right angles for that density.
        seedCount = Float.pi * radius * radius / (0.045 * 0.045)
        let fibonacci: [Float] = [8, 13, 21, 34, 55, 89]
        let goldenAngle = Float.pi * (3 - Float(5).squareRoot())
        func drift(_ f: Float) -> Float { remainder(f * goldenAngle, 2 * Float.pi) }
        var pick = 0
        while pick + 2 < fibonacci.count && fibonacci[pick + 1] / (2 * abs(drift(fibonacci[pick + 1]))) < seedCount {
            pick += 1
        }
        family1 = fibonacci[pick]
        family2 = fibonacci[pick + 1]
        drift1 = drift(family1)
        drift2 = drift(family2)
        stamenCount =
            species.stamenCount.lowerBound
            + rng.integer(below: species.stamenCount.upperBound - species.stamenCount.lowerBound + 1)
        stamenReach = radius * species.stamenReach * rng.uniform(0.9, 1.1)
        stamenPhase = rng.uniform(0, 2 * Float.pi)
        antherRadius = species.stamenReach > 2 ? 0.04 : 0.028
        filament = ColorRGB.mix(palette.centreInner, ColorRGB(1, 1, 0.9), 0.45)
    }

    /// Paints the centre over `colour` at flower position (x, y) = polar (r, phi).
    /// `pixelsPerUnit` is per sample (edge ramps), `texturePixelsPerUnit` per output pixel (pattern fades).
    @inline(__always) func paint(
        _ colour: ColorRGB, x: Float, y: Float, r: Float, phi: Float,
        pixelsPerUnit: Float, texturePixelsPerUnit: Float, noise: LatticeNoise
    ) -> ColorRGB {
        var c = colour
        if style == .stamens {
            c = paintStamens(c, x: x, y: y, phi: phi, pixelsPerUnit: pixelsPerUnit)
        }
        let discRadius = style == .stamens ? radius * 0.45 : radius
        let coverage = clamp01(0.5 - (r - discRadius) * pixelsPerUnit)
        guard coverage > 0 else { return c }
        let rn = r / discRadius
        var disc: ColorRGB
        switch style {
        case .seeds:
            disc = ColorRGB.mix(inner, outer, smoothstep(0.15, 1.0, rn))
            let n = seedCount * rn * rn
            let wave1 = 0.5 + 0.5 * cos(family1 * phi - drift1 * n)
            let wave2 = 0.5 + 0.5 * cos(family2 * phi - drift2 * n)
            let cellPixels = 0.045 * texturePixelsPerUnit
            let spiralPixels = 2 * Float.pi * r / family2 * texturePixelsPerUnit
            let fade = clamp01(cellPixels * 0.5 - 0.75) * clamp01(spiralPixels * 0.5 - 0.5)
            var light = 1 + 1.2 * (wave1 * wave2 - 0.25) * fade
            light *= 1 - 0.3 * smoothstep(0.8, 1.0, rn)
            disc = disc * light
        case .dome, .stamens:
            disc = ColorRGB.mix(inner, outer, smoothstep(0.2, 1.0, rn))
            let hx = x / discRadius + 0.35, hy = y / discRadius + 0.35
            let highlight = clamp01(1 - (hx * hx + hy * hy) * 4)
            let grain = noise.value(x * 90, y * 90) - 0.5
            let fade = clamp01(texturePixelsPerUnit / 90 * 0.5 - 0.75)
            disc =
                disc * ((1 + 0.3 * grain * fade) * (1 - 0.3 * smoothstep(0.7, 1.0, rn)))
                + ColorRGB(1, 1, 1) * (0.3 * highlight * highlight)
        case .bud:
            disc = ColorRGB.mix(inner, outer, smoothstep(0.0, 1.0, rn))
            // Tightly wrapped petals: thin curved folds spiralling in, fading towards the middle.
            let folds = 0.5 + 0.5 * cos(3 * phi + rn * 9)
            let foldPixels = discRadius / 9 * 2 * Float.pi * texturePixelsPerUnit
            let fade = clamp01(foldPixels * 0.3 - 0.6) * smoothstep(0.1, 0.6, rn)
            disc = disc * (1 - 0.3 * smoothstep(0.8, 1.0, folds) * fade)
        }
        return ColorRGB.mix(c, disc, coverage)
    }

    /// Filaments from the middle to a ring of anthers.
    @inline(__always) private func paintStamens(
        _ colour: ColorRGB, x: Float, y: Float, phi: Float,
        pixelsPerUnit: Float
    ) -> ColorRGB {
        var c = colour
        let step = 2 * Float.pi / Float(stamenCount)
        let k = Int(((phi - stamenPhase) / step).rounded())
        let filamentRadius: Float = 0.007
        for o in -1...1 {
            let angle = stamenPhase + Float(k + o) * step
            let ca = cos(angle), sa = sin(angle)
            let u = x * ca + y * sa, v = -x * sa + y * ca
            let d = PetalGeometry.capsule(u, v, from: radius * 0.2, to: stamenReach, radius: filamentRadius)
            // Thin lines keep their true weight: coverage never exceeds their width in pixels.
            let weight = min(1, 2 * filamentRadius * pixelsPerUnit)
            let fc = min(clamp01(0.5 - d * pixelsPerUnit), weight)
            if fc > 0 { c = ColorRGB.mix(c, filament, fc) }
            let du = u - stamenReach
            let da = (du * du + v * v).squareRoot() - antherRadius
            let ac = clamp01(0.5 - da * pixelsPerUnit)
            if ac > 0 {
                let light = 1.15 - 0.5 * clamp01((du + v) / antherRadius * 0.5 + 0.5)
                c = ColorRGB.mix(c, outer * light, ac)
            }
        }
        return c
    }
}
