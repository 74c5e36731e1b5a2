import Foundation

/// Signed distances (negative inside) of the shapes the flowers are drawn with, in flower units.
/// Distances rather than inside/outside tests are what make the edges anti-aliased at any
/// resolution: coverage is a ramp one pixel wide across the zero level.
enum PetalGeometry {
    /// Distance to an axis-aligned ellipse with semi-axes `a` (x) and `b` (y), centred at the origin.
    /// First-order approximation f/|∇f|: exact on the boundary, which is all the coverage ramp needs.
    @inline(__always) static func ellipse(_ x: Float, _ y: Float, _ a: Float, _ b: Float) -> Float {
        let qx = x / a, qy = y / b
        let k0 = (qx * qx + qy * qy).squareRoot()
        let k1 = (qx * qx / (a * a) + qy * qy / (b * b)).squareRoot()
        return k1 > 1e-6 ? k0 * (k0 - 1) / k1 : -min(a, b)
    }

    /// Distance to an almond (the intersection of two discs) pointed at `along = ±halfLength`
    /// and `halfWidth` wide at its middle; `along` runs through the points, `across` is perpendicular.
    @inline(__always) static func almond(along: Float, across: Float, halfLength: Float, halfWidth: Float) -> Float {
        // Two circles of radius r centred at (±d, 0) across the axis meet at the points.
        let ratio = halfLength * halfLength / halfWidth
        let r = (ratio + halfWidth) * 0.5, d = (ratio - halfWidth) * 0.5
        let px = abs(across), py = abs(along)
        if (py - halfLength) * d > px * halfLength {
            let dy = py - halfLength
            return (px * px + dy * dy).squareRoot()
        }
        let dx = px + d
        return (dx * dx + py * py).squareRoot() - r
    }

    /// Distance to a capsule along the x axis from `x0` to `x1` with radius `radius`.
    @inline(__always) static func capsule(_ x: Float, _ y: Float, from x0: Float, to x1: Float, radius: Float) -> Float
    {
        let cx = min(max(x, x0), x1)
        let dx = x - cx
        return (dx * dx + y * y).squareRoot() - radius
    }

    /// Distance to a petal of `shape` lying along +u from `base` to `base + length`, `halfWidth`
    /// wide at its widest. `u` runs out from the flower centre along the petal, `v` across it.
    @inline(__always) static func petal(
        _ shape: PetalShape, u: Float, v: Float,
        base: Float, length: Float, halfWidth: Float
    ) -> Float {
        let half = length * 0.5
        let mid = base + half
        switch shape {
        case .round:
            return ellipse(u - mid, v, half, halfWidth)
        case .pointed:
            return almond(along: u - mid, across: v, halfLength: half, halfWidth: halfWidth)
        case .notched:
            let body = ellipse(u - mid, v, half, halfWidth)
            // A disc bitten out of the tip makes the heart-like notch.
            let nu = u - (base + length + halfWidth * 0.1), notchRadius = halfWidth * 0.24
            let notch = (nu * nu + v * v).squareRoot() - notchRadius
            return max(body, -notch)
        case .ray:
            let r = min(halfWidth, half)
            return capsule(u, v, from: base + r, to: base + length - r, radius: r)
        case .fringed:
            let body = ellipse(u - mid, v, half, halfWidth)
            // Teeth: the outline is pushed inwards by a zig-zag across the tip region.
            let t = (u - base) / length
            let across = v / halfWidth * 2.5 + 0.5
            let zigzag = abs(across - across.rounded(.down) - 0.5) * 2
            return body + length * 0.16 * zigzag * smoothstep(0.55, 0.9, t)
        }
    }
}
