import Foundation
import TensorCore

/// One bloom placed in the picture: its pose, petal rings and centre.
struct Flower: Sendable {
    // Centre and radius in image units ([0, 1]² of the picture), and the linear map from an
    // offset in the image to flower units (rotation, foreshortening, 1/radius).
    var centreX: Float
    var centreY: Float
    var radius: Float
    var m00: Float, m01: Float, m10: Float, m11: Float
    /// Foreshortening of the tilted flower (1 = seen face-on).
    var squash: Float
    var rings: [PetalRing]
    var centre: FlowerCentre
    /// Farthest reach of petals or stamens, in flower units.
    var extent: Float
    /// Width of the edge blur in image units: 0 for the subject in focus, more for blooms behind it.
    /// It is a fraction of the picture, so the blur looks the same at every resolution.
    var blur: Float

    init(
        species: FlowerSpecies, palette: FlowerPalette, centreX: Float, centreY: Float, radius: Float,
        blur: Float, rng: inout SeededGenerator
    ) {
        self.centreX = centreX
        self.centreY = centreY
        self.radius = radius
        self.blur = blur
        let rotation = rng.uniform(0, 2 * Float.pi)
        squash = rng.uniform() < 0.65 ? rng.uniform(0.7, 1.0) : 1
        let tiltAxis = rng.uniform(0, Float.pi)
        // flower = (1/radius) · Rot(tiltAxis − rotation) · diag(1, 1/squash) · Rot(−tiltAxis) · offset
        let ct = cos(tiltAxis), st = sin(tiltAxis)
        let a = tiltAxis - rotation
        let ca = cos(a), sa = sin(a)
        let s00 = ct, s01 = st, s10 = -st / squash, s11 = ct / squash
        m00 = (ca * s00 - sa * s10) / radius
        m01 = (ca * s01 - sa * s11) / radius
        m10 = (sa * s00 + ca * s10) / radius
        m11 = (sa * s01 + ca * s11) / radius

        centre = FlowerCentre(species: species, palette: palette, rng: &rng)
        let count =
            species.petalCount.lowerBound
            + rng.integer(below: species.petalCount.upperBound - species.petalCount.lowerBound + 1)
        let width = rng.uniform(species.petalWidth.lowerBound, species.petalWidth.upperBound)
        let base = centre.radius * 0.35
        rings = []
        for depth in 0..<species.layers {
            let step = 2 * Float.pi / Float(count)
            // Inner rings are shorter and sit in the gaps of the ring outside them.
            let phase = Float(depth) * step * 0.5 + rng.uniform(-0.1, 0.1) * step
            let tip = 1 - 0.24 * Float(depth) * (species.layers > 2 ? 1 : 0.6)
            rings.append(
                PetalRing(
                    shape: species.shape, count: count, phase: phase, base: base,
                    tip: max(tip, centre.radius * 1.6), width: width, palette: palette,
                    depth: depth, species: species, rng: &rng))
        }
        extent = max(rings.map(\.extent).max() ?? 0, centre.extent)
    }

    /// Flower coordinates of image position (x, y).
    @inline(__always) func local(_ x: Float, _ y: Float) -> (Float, Float) {
        let ox = x - centreX, oy = y - centreY
        return (m00 * ox + m01 * oy, m10 * ox + m11 * oy)
    }

    /// Paints the flower over `background` at image position (x, y). `sample` is the sample
    /// spacing (edge ramps), `pixel` the output pixel size (pattern fades), both in image units.
    @inline(__always) func paint(
        _ background: ColorRGB, x: Float, y: Float, sample: Float, pixel: Float,
        noise: LatticeNoise
    ) -> ColorRGB {
        let (fx, fy) = local(x, y)
        // Flower units per pixel differ along and across the tilt; the geometric mean is close
        // enough for a one-pixel coverage ramp.
        let unitScale = radius * squash.squareRoot()
        let pixelsPerUnit = unitScale / max(sample, blur)
        let texturePixelsPerUnit = unitScale / max(pixel, blur)
        let r = (fx * fx + fy * fy).squareRoot()
        let margin = 1 / pixelsPerUnit
        guard r < extent + margin else { return background }
        var c = background
        let phi = atan2(fy, fx)
        // Rings are read in place through a pointer: copying a ring (five arrays) per pixel
        // would cost more than shading it. The closure must not capture `self` (that copies it).
        let centreRadius = centre.radius
        rings.withUnsafeBufferPointer { ringList in
            for ringIndex in 0..<ringList.count {
                let ring = ringList.baseAddress! + ringIndex
                guard r < ring.pointee.extent + margin else { continue }
                let count = ring.pointee.count, base = ring.pointee.base
                let k = Int(((phi - ring.pointee.phase) / ring.pointee.step).rounded())
                let neighbours = ring.pointee.neighbours
                // Neighbours are composited in index order, so each petal overlaps the previous one
                // consistently all round the flower (a pinwheel, as real petals are arranged).
                for o in -neighbours...neighbours {
                    var j = (k + o) % count
                    if j < 0 { j += count }
                    let ca = ring.pointee.cosAngle[j], sa = ring.pointee.sinAngle[j]
                    let u = fx * ca + fy * sa
                    if u < 0 { continue }
                    let v = -fx * sa + fy * ca
                    let len = ring.pointee.length * ring.pointee.lengthScale[j]
                    let hw = ring.pointee.halfWidth * ring.pointee.widthScale[j]
                    // Outside the petal's bounding box (plus the coverage ramp) nothing can show.
                    if abs(v) > hw + margin || u > base + len + margin { continue }
                    var d = PetalGeometry.petal(ring.pointee.shape, u: u, v: v, base: base, length: len, halfWidth: hw)
                    let ruffle = ring.pointee.ruffle
                    if ruffle > 0 {
                        // Soft waves along broad petals' outlines, different on every petal.
                        let t = (u - base) / len
                        d += ruffle * len * cos(v / hw * 5.5 + t * 4 + Float(j) * 2.1)
                    }
                    let coverage = clamp01(0.5 - d * pixelsPerUnit)
                    if coverage <= 0 { continue }
                    let petal = ring.pointee.shade(
                        j: j, u: u, v: v, d: d, length: len, halfWidth: hw,
                        pixelsPerUnit: texturePixelsPerUnit, centreRadius: centreRadius,
                        radius: r, noise: noise)
                    c = ColorRGB.mix(c, petal, coverage)
                }
            }
        }
        if r < centre.extent + margin {
            c = centre.paint(
                c, x: fx, y: fy, r: r, phi: phi, pixelsPerUnit: pixelsPerUnit,
                texturePixelsPerUnit: texturePixelsPerUnit, noise: noise)
        }
        return c
    }
}
