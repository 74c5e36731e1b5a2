import FileFormats
import Foundation
import TensorCore

/// Everything random about one synthetic photograph, drawn once from its generator:
/// the flower (petal rings, centre, pose), the backdrop, a stem and leaf, the colour grading.
/// Shading a pixel is then a pure function of its position, so images render at any size.
struct FlowerScene: Sendable {
    // Pose: flower centre and radius in image units ([0, 1]² of the picture), and the linear
    // map from an offset in the image to flower units (rotation, foreshortening, 1/radius).
    var centreX: Float
    var centreY: Float
    var radius: Float
    var m00: Float, m01: Float, m10: Float, m11: Float
    /// Foreshortening of the tilted flower (1 = seen face-on).
    var squash: Float
    var rings: [PetalRing]
    var centre: FlowerCentre
    var extent: Float
    var backdrop: Backdrop
    var shadowStrength: Float
    var shadowX: Float, shadowY: Float
    var stem: Stem?
    var leaf: Leaf?
    var noise: LatticeNoise
    // Colour grading of the whole picture, as cameras and editing vary it.
    var brightness: Float
    var contrast: Float
    var saturation: Float

    init(species: FlowerSpecies, rng: inout SeededGenerator) {
        // Palette with per-image variation of hue, saturation and brightness.
        var palette = species.palettes[rng.integer(below: species.palettes.count)]
        palette = palette.hueRotated(rng.normal() * 0.07)
        let vivid = rng.uniform(0.85, 1.15), bright = rng.uniform(0.9, 1.08)
        palette.petalBase = (palette.petalBase.saturated(vivid) * bright).clamped
        palette.petalTip = (palette.petalTip.saturated(vivid) * bright).clamped

        // Pose: mostly centred and filling much of the frame, as in flower photographs.
        centreX = 0.5 + max(-0.16, min(0.16, rng.normal() * 0.07))
        centreY = 0.5 + max(-0.16, min(0.16, rng.normal() * 0.07))
        radius = rng.uniform(0.3, 0.48)
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
        let count = species.petalCount.lowerBound
            + rng.integer(below: species.petalCount.upperBound - species.petalCount.lowerBound + 1)
        let width = rng.uniform(species.petalWidth.lowerBound, species.petalWidth.upperBound)
        let base = centre.radius * 0.35
        rings = []
        for depth in 0..<species.layers {
            let step = 2 * Float.pi / Float(count)
            // Inner rings are shorter and sit in the gaps of the ring outside them.
            let phase = Float(depth) * step * 0.5 + rng.uniform(-0.1, 0.1) * step
            let tip = 1 - 0.24 * Float(depth) * (species.layers > 2 ? 1 : 0.6)
            rings.append(PetalRing(shape: species.shape, count: count, phase: phase, base: base,
                                   tip: max(tip, centre.radius * 1.6), width: width, palette: palette,
                                   depth: depth, species: species, rng: &rng))
        }
        extent = max(rings.map(\.extent).max() ?? 0, centre.extent)

        backdrop = Backdrop(flowerColour: ColorRGB.mix(palette.petalBase, palette.petalTip, 0.5), rng: &rng)
        shadowStrength = rng.uniform(0.15, 0.4)
        shadowX = rng.uniform(-0.12, 0.12)
        shadowY = rng.uniform(0.0, 0.15)
        if rng.uniform() < 0.6 {
            let s = Stem(flowerX: centreX, flowerY: centreY, flowerRadius: radius, rng: &rng)
            stem = s
            leaf = rng.uniform() < 0.5 ? Leaf(stem: s, flowerRadius: radius, rng: &rng) : nil
        }
        noise = LatticeNoise(seed: UInt32(truncatingIfNeeded: rng.next()))
        brightness = rng.uniform(0.92, 1.08)
        contrast = rng.uniform(0.9, 1.1)
        saturation = rng.uniform(0.9, 1.15)
    }

    /// The colour at image position (x, y) ∈ [0, 1]². `sample` is the spacing of samples (edges are
    /// ramped over it); `pixel` the output pixel size (patterns finer than that are faded out).
    @inline(__always) func colour(x: Float, y: Float, sample pixel: Float, pixel outputPixel: Float) -> ColorRGB {
        var c = backdrop.colour(x: x, y: y, noise: noise)
        let ox = x - centreX, oy = y - centreY
        let fx = m00 * ox + m01 * oy, fy = m10 * ox + m11 * oy
        // The flower casts a soft shadow on what is behind it.
        let sx = fx - shadowX, sy = fy - shadowY
        c = c * (1 - shadowStrength * smoothstep(1.3, 0.6, (sx * sx + sy * sy).squareRoot()))
        if let stem {
            c = stem.paint(c, x: x, y: y, pixel: pixel)
            if let leaf { c = leaf.paint(c, x: x, y: y, pixel: pixel) }
        }
        // Flower units per pixel differ along and across the tilt; the geometric mean is close enough
        // for a one-pixel coverage ramp.
        let unitScale = radius * squash.squareRoot()
        let pixelsPerUnit = unitScale / pixel
        let r = (fx * fx + fy * fy).squareRoot()
        if r < extent + 1 / pixelsPerUnit {
            c = paintFlower(c, x: fx, y: fy, r: r, pixelsPerUnit: pixelsPerUnit,
                            texturePixelsPerUnit: unitScale / outputPixel)
        }
        return grade(c)
    }

    @inline(__always) private func paintFlower(_ background: ColorRGB, x: Float, y: Float, r: Float,
                                               pixelsPerUnit: Float, texturePixelsPerUnit: Float) -> ColorRGB {
        var c = background
        let phi = atan2(y, x)
        let margin = 1 / pixelsPerUnit
        for ring in rings where r < ring.extent + margin {
            let k = Int(((phi - ring.phase) / ring.step).rounded())
            // Neighbours are composited in index order, so each petal overlaps the previous one
            // consistently all round the flower (a pinwheel, as real petals are arranged).
            for o in -ring.neighbours...ring.neighbours {
                var j = (k + o) % ring.count
                if j < 0 { j += ring.count }
                let ca = ring.cosAngle[j], sa = ring.sinAngle[j]
                let u = x * ca + y * sa
                if u < 0 { continue }
                let v = -x * sa + y * ca
                let len = ring.length * ring.lengthScale[j], hw = ring.halfWidth * ring.widthScale[j]
                let d = PetalGeometry.petal(ring.shape, u: u, v: v, base: ring.base, length: len, halfWidth: hw)
                let coverage = clamp01(0.5 - d * pixelsPerUnit)
                if coverage <= 0 { continue }
                let petal = ring.shade(j: j, u: u, v: v, d: d, length: len, halfWidth: hw,
                                       pixelsPerUnit: texturePixelsPerUnit, centreRadius: centre.radius, radius: r,
                                       noise: noise)
                c = ColorRGB.mix(c, petal, coverage)
            }
        }
        if r < centre.extent + margin {
            c = centre.paint(c, x: x, y: y, r: r, phi: phi, pixelsPerUnit: pixelsPerUnit,
                             texturePixelsPerUnit: texturePixelsPerUnit, noise: noise)
        }
        return c
    }

    @inline(__always) private func grade(_ c: ColorRGB) -> ColorRGB {
        let contrasted = ColorRGB((c.r - 0.5) * contrast + 0.5, (c.g - 0.5) * contrast + 0.5,
                                  (c.b - 0.5) * contrast + 0.5)
        return (contrasted * brightness).saturated(saturation)
    }

    /// Renders the scene as a `size` × `size` image. Small images are supersampled (3 × 3 up to
    /// 40 px, 2 × 2 up to 80 px) on top of the analytic edge coverage, so that petals thinner
    /// than a pixel (daisy and aster rays) average out instead of breaking into dots.
    func render(size: Int) -> RGBImage {
        let samples = size <= 40 ? 3 : (size <= 80 ? 2 : 1)
        let pixel = 1 / Float(size * samples)
        let outputPixel = 1 / Float(size)
        let weight = 255 / Float(samples * samples)
        var bytes = [UInt8](repeating: 0, count: size * size * 3)
        bytes.withUnsafeMutableBufferPointer { out in
            for py in 0..<size {
                for px in 0..<size {
                    var sum = ColorRGB(0, 0, 0)
                    for sy in 0..<samples {
                        let y = (Float(py * samples + sy) + 0.5) * pixel
                        for sx in 0..<samples {
                            let x = (Float(px * samples + sx) + 0.5) * pixel
                            sum = sum + colour(x: x, y: y, sample: pixel, pixel: outputPixel).clamped
                        }
                    }
                    let o = (py * size + px) * 3
                    out[o] = UInt8(min(max(sum.r * weight + 0.5, 0), 255))
                    out[o + 1] = UInt8(min(max(sum.g * weight + 0.5, 0), 255))
                    out[o + 2] = UInt8(min(max(sum.b * weight + 0.5, 0), 255))
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: bytes)
    }
}
