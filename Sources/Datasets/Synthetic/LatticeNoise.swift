/// Smooth value noise on an integer lattice, hashed from a seed (no tables, so any point
/// of any image can be evaluated independently). Used for blurred foliage and textures.
struct LatticeNoise: Sendable {
    let seed: UInt32

    /// A well-mixed hash of a lattice point, in [0, 1).
    @inline(__always) func hash(_ x: Int32, _ y: Int32) -> Float {
        var h = UInt32(bitPattern: x) &* 0x27D4_EB2D ^ UInt32(bitPattern: y) &* 0x1656_67B1 ^ seed
        // Murmur3 finaliser: spreads every input bit over the output.
        h ^= h >> 16
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return Float(h >> 8) * (1.0 / 16_777_216.0)
    }

    /// Value noise in [0, 1): lattice values blended with a smooth (C1) fade.
    @inline(__always) func value(_ x: Float, _ y: Float) -> Float {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let ix = Int32(fx), iy = Int32(fy)
        var tx = x - fx, ty = y - fy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        let a = hash(ix, iy), b = hash(ix &+ 1, iy)
        let c = hash(ix, iy &+ 1), d = hash(ix &+ 1, iy &+ 1)
        let top = a + (b - a) * tx, bottom = c + (d - c) * tx
        return top + (bottom - top) * ty
    }

    /// Three octaves of value noise (fractal sum), normalised back to [0, 1).
    @inline(__always) func fractal(_ x: Float, _ y: Float) -> Float {
        let n =
            value(x, y) * 0.5714 + value(x * 2.03 + 17.1, y * 2.03 - 5.3) * 0.2857
            + value(x * 4.07 - 31.7, y * 4.07 + 11.9) * 0.1429
        return n
    }
}
