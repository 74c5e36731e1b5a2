/// Sums over contiguous Float runs, written with explicit 8-lane vectors.
///
/// The compiler never vectorises a scalar `s += p[i]` loop over floats (it may not reorder
/// float additions), so reductions in hot kernels go through these helpers. Sixteen lanes of
/// partial sums also make the result more accurate than one running sum.
public enum VectorReductions {
    public typealias Vector = SIMD8<Float>

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    /// Σ p[i].
    @inlinable
    public static func sum(_ p: UnsafePointer<Float>, count n: Int) -> Float {
        var a0 = Vector(), a1 = Vector()
        var i = 0
        while i + 16 <= n {
            a0 += load(p, i)
            a1 += load(p, i + 8)
            i += 16
        }
        var s = (a0 + a1).sum()
        while i < n {
            s += p[i]
            i += 1
        }
        return s
    }

    /// Σ (p[i] − center). With `center` near the values (say, the first one) the partial sums stay
    /// small, so a mean far from zero loses no precision; mean = center + result / n.
    @inlinable
    public static func sum(_ p: UnsafePointer<Float>, count n: Int, center: Float) -> Float {
        let c = Vector(repeating: center)
        var a0 = Vector(), a1 = Vector()
        var i = 0
        while i + 16 <= n {
            a0 += load(p, i) - c
            a1 += load(p, i + 8) - c
            i += 16
        }
        var s = (a0 + a1).sum()
        while i < n {
            s += p[i] - center
            i += 1
        }
        return s
    }

    /// Σ (p[i] − center)².
    @inlinable
    public static func sumOfSquares(_ p: UnsafePointer<Float>, count n: Int, center: Float) -> Float {
        let c = Vector(repeating: center)
        var a0 = Vector(), a1 = Vector()
        var i = 0
        while i + 16 <= n {
            let d0 = load(p, i) - c, d1 = load(p, i + 8) - c
            a0 += d0 * d0
            a1 += d1 * d1
            i += 16
        }
        var s = (a0 + a1).sum()
        while i < n {
            let d = p[i] - center
            s += d * d
            i += 1
        }
        return s
    }

    /// Σ p[i] · q[i].
    @inlinable
    public static func dot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, count n: Int) -> Float {
        var a0 = Vector(), a1 = Vector()
        var i = 0
        while i + 16 <= n {
            a0 += load(p, i) * load(q, i)
            a1 += load(p, i + 8) * load(q, i + 8)
            i += 16
        }
        var s = (a0 + a1).sum()
        while i < n {
            s += p[i] * q[i]
            i += 1
        }
        return s
    }

    /// (Σ g[i], Σ g[i] · (x[i] − center)) in one pass: the two sums every normalisation backward needs.
    @inlinable
    public static func sumAndCenteredDot(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int,
        center: Float
    ) -> (sum: Float, dot: Float) {
        let c = Vector(repeating: center)
        var s0 = Vector(), s1 = Vector(), d0 = Vector(), d1 = Vector()
        var i = 0
        while i + 16 <= n {
            let g0 = load(g, i), g1 = load(g, i + 8)
            s0 += g0
            s1 += g1
            d0 += g0 * (load(x, i) - c)
            d1 += g1 * (load(x, i + 8) - c)
            i += 16
        }
        var s = (s0 + s1).sum()
        var d = (d0 + d1).sum()
        while i < n {
            s += g[i]
            d += g[i] * (x[i] - center)
            i += 1
        }
        return (s, d)
    }

    /// Largest element (n ≥ 1).
    @inlinable
    public static func maximum(_ p: UnsafePointer<Float>, count n: Int) -> Float {
        var m = p[0]
        var i = 0
        if n >= 8 {
            var v = load(p, 0)
            i = 8
            while i + 8 <= n {
                v = pointwiseMax(v, load(p, i))
                i += 8
            }
            m = v.max()
        }
        while i < n {
            m = Swift.max(m, p[i])
            i += 1
        }
        return m
    }
}
