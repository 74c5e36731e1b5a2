import Foundation
import TensorCore

/// A slightly curved stem running from the flower out of the picture.
struct Stem: Sendable {
    var startX: Float, startY: Float
    var directionX: Float, directionY: Float
    var halfWidth: Float
    var bend: Float
    var colour: ColorRGB

    init(flowerX: Float, flowerY: Float, flowerRadius: Float, rng: inout SeededGenerator) {
        startX = flowerX
        startY = flowerY
        // Mostly downwards (image y grows down), leaning a little either way.
        let angle = Float.pi / 2 + rng.uniform(-0.55, 0.55)
        directionX = cos(angle)
        directionY = sin(angle)
        halfWidth = flowerRadius * rng.uniform(0.035, 0.06)
        bend = rng.uniform(-0.25, 0.25)
        colour = ColorRGB(rng.uniform(0.2, 0.35), rng.uniform(0.4, 0.55), rng.uniform(0.1, 0.2))
    }

    /// Paints the stem over `c` at image position (x, y); `pixel` is one sample's size.
    @inline(__always) func paint(_ c: ColorRGB, x: Float, y: Float, pixel: Float) -> ColorRGB {
        let px = x - startX, py = y - startY
        let along = px * directionX + py * directionY
        guard along > 0 else { return c }
        let across = -px * directionY + py * directionX - bend * along * along
        let d = abs(across) - halfWidth
        let coverage = clamp01(0.5 - d / pixel)
        guard coverage > 0 else { return c }
        // A cylinder lit from one side.
        let s = min(max(across / halfWidth, -1), 1)
        let light = 1 - 0.35 * s * s + 0.12 * s
        return ColorRGB.mix(c, colour * light, coverage)
    }
}

/// A leaf attached to the stem, pointing away from it.
struct Leaf: Sendable {
    var centreX: Float, centreY: Float
    var cosAngle: Float, sinAngle: Float
    var halfLength: Float, halfWidth: Float
    var colour: ColorRGB

    init(stem: Stem, flowerRadius: Float, rng: inout SeededGenerator) {
        let at = flowerRadius * rng.uniform(1.1, 1.8)
        let side: Float = rng.uniform() < 0.5 ? -1 : 1
        let stemAngle = atan2(stem.directionY, stem.directionX)
        let angle = stemAngle + side * rng.uniform(0.5, 1.1)
        cosAngle = cos(angle)
        sinAngle = sin(angle)
        halfLength = flowerRadius * rng.uniform(0.3, 0.5)
        halfWidth = halfLength * rng.uniform(0.28, 0.4)
        // The stem bends, so follow it to the attachment point.
        let ax = stem.startX + stem.directionX * at - stem.directionY * stem.bend * at * at
        let ay = stem.startY + stem.directionY * at + stem.directionX * stem.bend * at * at
        centreX = ax + cosAngle * halfLength * 0.95
        centreY = ay + sinAngle * halfLength * 0.95
        colour = ColorRGB.mix(stem.colour, ColorRGB(0.15, 0.35, 0.1), rng.uniform(0, 0.6))
    }

    @inline(__always) func paint(_ c: ColorRGB, x: Float, y: Float, pixel: Float) -> ColorRGB {
        let px = x - centreX, py = y - centreY
        let u = px * cosAngle + py * sinAngle, v = -px * sinAngle + py * cosAngle
        let d = PetalGeometry.almond(along: u, across: v, halfLength: halfLength, halfWidth: halfWidth)
        let coverage = clamp01(0.5 - d / pixel)
        guard coverage > 0 else { return c }
        let across = min(max(v / halfWidth, -1), 1)
        // One half faces the light; a pale midrib runs down the middle.
        var leaf = colour * (across > 0 ? 1.08 - 0.2 * across : 0.9 + 0.1 * across)
        let midrib = clamp01(1 - abs(v) / max(halfWidth * 0.07, pixel))
        leaf = ColorRGB.mix(leaf, colour * 1.5, midrib * 0.6)
        return ColorRGB.mix(c, leaf, coverage)
    }
}
