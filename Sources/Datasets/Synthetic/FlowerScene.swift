import FileFormats
import Foundation
import TensorCore

/// Everything random about one synthetic photograph, drawn once from its generator: the
/// subject flower and sometimes a smaller out-of-focus one behind it, the backdrop, a stem
/// and leaf, the colour grading. Shading a pixel is then a pure function of its position,
/// so images render at any size.
struct FlowerScene: Sendable {
    /// Back to front; the last one is the subject.
    var flowers: [Flower]
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

        // Mostly centred and filling much of the frame, as in flower photographs; a quarter are
        // close-ups whose petals run off the edges.
        let x = 0.5 + max(-0.16, min(0.16, rng.normal() * 0.07))
        let y = 0.5 + max(-0.16, min(0.16, rng.normal() * 0.07))
        let radius = rng.uniform() < 0.25 ? rng.uniform(0.48, 0.62) : rng.uniform(0.3, 0.48)
        flowers = []
        if rng.uniform() < 0.3 {
            // A second bloom of the same plant further back: smaller, darker, out of focus.
            let angle = rng.uniform(0, 2 * Float.pi), distance = radius * rng.uniform(0.9, 1.4)
            var shaded = palette
            let dim = rng.uniform(0.7, 0.9)
            shaded.petalBase = shaded.petalBase * dim
            shaded.petalTip = shaded.petalTip * dim
            shaded.centreInner = shaded.centreInner * dim
            shaded.centreOuter = shaded.centreOuter * dim
            flowers.append(
                Flower(
                    species: species, palette: shaded, centreX: x + cos(angle) * distance,
                    centreY: y + sin(angle) * distance, radius: radius * rng.uniform(0.45, 0.7),
                    blur: rng.uniform(0.015, 0.035), rng: &rng))
        }
        let subject = Flower(
            species: species, palette: palette, centreX: x, centreY: y, radius: radius,
            blur: 0, rng: &rng)

        backdrop = Backdrop(flowerColour: ColorRGB.mix(palette.petalBase, palette.petalTip, 0.5), rng: &rng)
        shadowStrength = rng.uniform(0.15, 0.4)
        shadowX = rng.uniform(-0.12, 0.12)
        shadowY = rng.uniform(0.0, 0.15)
        if rng.uniform() < 0.6 {
            let s = Stem(flowerX: x, flowerY: y, flowerRadius: radius, rng: &rng)
            stem = s
            leaf = rng.uniform() < 0.5 ? Leaf(stem: s, flowerRadius: radius, rng: &rng) : nil
        }
        flowers.append(subject)
        noise = LatticeNoise(seed: UInt32(truncatingIfNeeded: rng.next()))
        brightness = rng.uniform(0.92, 1.08)
        contrast = rng.uniform(0.9, 1.1)
        saturation = rng.uniform(0.9, 1.15)
    }

    /// The colour at image position (x, y) ∈ [0, 1]². `sample` is the spacing of samples (edges are
    /// ramped over it); `pixel` the output pixel size (patterns finer than that are faded out).
    /// `flowers` is `self.flowers`, passed in place so that no flower is copied per pixel.
    @inline(__always) func colour(
        x: Float, y: Float, sample: Float, pixel: Float, foliage: SmoothField,
        flowers: UnsafeBufferPointer<Flower>
    ) -> ColorRGB {
        var c = backdrop.colour(x: x, y: y, foliage: foliage)
        let subject = flowers.baseAddress! + (flowers.count - 1)
        // The subject casts a soft shadow on what is behind it.
        let (fx, fy) = subject.pointee.local(x, y)
        let sx = fx - shadowX, sy = fy - shadowY
        c = c * (1 - shadowStrength * smoothstep(1.3, 0.6, (sx * sx + sy * sy).squareRoot()))
        for k in 0..<(flowers.count - 1) {
            c = (flowers.baseAddress! + k).pointee.paint(c, x: x, y: y, sample: sample, pixel: pixel, noise: noise)
        }
        if let stem {
            c = stem.paint(c, x: x, y: y, pixel: sample)
            if let leaf { c = leaf.paint(c, x: x, y: y, pixel: sample) }
        }
        c = subject.pointee.paint(c, x: x, y: y, sample: sample, pixel: pixel, noise: noise)
        return grade(c)
    }

    @inline(__always) private func grade(_ c: ColorRGB) -> ColorRGB {
        let contrasted = ColorRGB(
            (c.r - 0.5) * contrast + 0.5, (c.g - 0.5) * contrast + 0.5,
            (c.b - 0.5) * contrast + 0.5)
        return (contrasted * brightness).saturated(saturation)
    }

    /// Renders the scene as a `size` × `size` image. Small images are supersampled (3 × 3 up to
    /// 40 px, 2 × 2 up to 80 px) on top of the analytic edge coverage, so that petals thinner
    /// than a pixel (daisy and aster rays) average out instead of breaking into dots.
    func render(size: Int) -> RGBImage {
        let samples = size <= 40 ? 3 : (size <= 80 ? 2 : 1)
        let sample = 1 / Float(size * samples)
        let pixel = 1 / Float(size)
        let foliage = backdrop.foliage(noise: noise, resolution: min(size, 64))
        let weight = 255 / Float(samples * samples)
        var bytes = [UInt8](repeating: 0, count: size * size * 3)
        flowers.withUnsafeBufferPointer { flowers in
            bytes.withUnsafeMutableBufferPointer { out in
                for py in 0..<size {
                    for px in 0..<size {
                        var sum = ColorRGB(0, 0, 0)
                        for sy in 0..<samples {
                            let y = (Float(py * samples + sy) + 0.5) * sample
                            for sx in 0..<samples {
                                let x = (Float(px * samples + sx) + 0.5) * sample
                                sum =
                                    sum
                                    + colour(
                                        x: x, y: y, sample: sample, pixel: pixel, foliage: foliage,
                                        flowers: flowers
                                    ).clamped
                            }
                        }
                        let o = (py * size + px) * 3
                        out[o] = UInt8(min(max(sum.r * weight + 0.5, 0), 255))
                        out[o + 1] = UInt8(min(max(sum.g * weight + 0.5, 0), 255))
                        out[o + 2] = UInt8(min(max(sum.b * weight + 0.5, 0), 255))
                    }
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: bytes)
    }
}
