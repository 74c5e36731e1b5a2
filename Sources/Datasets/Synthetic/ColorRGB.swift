import Foundation

/// A colour with float channels in [0, 1] (display-referred, like the 8-bit output),
/// used while painting so that blending and shading do not round at every step.
struct ColorRGB: Sendable {
    var r: Float
    var g: Float
    var b: Float

    init(_ r: Float, _ g: Float, _ b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// From 0–255 components, the way palettes are written down.
    init(bytes r: Int, _ g: Int, _ b: Int) {
        self.init(Float(r) / 255, Float(g) / 255, Float(b) / 255)
    }

    @inline(__always) static func * (c: ColorRGB, k: Float) -> ColorRGB { ColorRGB(c.r * k, c.g * k, c.b * k) }
    @inline(__always) static func + (a: ColorRGB, b: ColorRGB) -> ColorRGB { ColorRGB(a.r + b.r, a.g + b.g, a.b + b.b) }

    /// Linear interpolation: `t = 0` gives `a`, `t = 1` gives `b`.
    @inline(__always) static func mix(_ a: ColorRGB, _ b: ColorRGB, _ t: Float) -> ColorRGB {
        ColorRGB(a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t)
    }

    var luminance: Float { 0.299 * r + 0.587 * g + 0.114 * b }

    /// Scales the distance from grey: 0 gives grey, 1 the colour itself, more is more vivid.
    func saturated(_ amount: Float) -> ColorRGB {
        let l = luminance
        return ColorRGB(l + (r - l) * amount, l + (g - l) * amount, l + (b - l) * amount)
    }

    /// Rotates the hue by `angle` radians about the grey axis (keeps luminance roughly).
    func hueRotated(_ angle: Float) -> ColorRGB {
        // Rodrigues rotation about (1,1,1)/√3: cheap, smooth, and good enough for palette variation.
        let c = cos(angle), s = sin(angle)
        let k = (1 - c) / 3, q = s / Float(3).squareRoot()
        return ColorRGB(
            r * (c + k) + g * (k - q) + b * (k + q),
            r * (k + q) + g * (c + k) + b * (k - q),
            r * (k - q) + g * (k + q) + b * (c + k))
    }

    var clamped: ColorRGB { ColorRGB(min(max(r, 0), 1), min(max(g, 0), 1), min(max(b, 0), 1)) }
}

/// Hermite smooth step from 0 at `e0` to 1 at `e1` (either order).
@inline(__always) func smoothstep(_ e0: Float, _ e1: Float, _ x: Float) -> Float {
    let t = min(max((x - e0) / (e1 - e0), 0), 1)
    return t * t * (3 - 2 * t)
}

@inline(__always) func clamp01(_ x: Float) -> Float { min(max(x, 0), 1) }
