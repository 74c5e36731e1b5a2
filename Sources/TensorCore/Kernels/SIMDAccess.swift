/// Unaligned SIMD loads and stores on Float buffers, for loops the compiler does not vectorise
/// by itself (stride-2 access, interleaving). Even/odd halves of a 16-lane vector deinterleave
/// pairs in registers.
@inline(__always)
func simdLoad8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func simdLoad16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func simdLoad32(_ p: UnsafePointer<Float>) -> SIMD32<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
}

@inline(__always)
func simdStore(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always)
func simdStore(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

@inline(__always)
func simdStore(_ v: SIMD32<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD32<Float>.self)
}

/// [even[0], odd[0], even[1], odd[1], …].
@inline(__always)
func simdInterleave(_ even: SIMD8<Float>, _ odd: SIMD8<Float>) -> SIMD16<Float> {
    var v = SIMD16<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    return v
}

/// [even[0], odd[0], even[1], odd[1], …] of two 16-lane halves.
@inline(__always)
func simdInterleave16(_ even: SIMD16<Float>, _ odd: SIMD16<Float>) -> SIMD32<Float> {
    var v = SIMD32<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    return v
}

/// Unaligned load of any SIMD vector of Floats (narrow vectors for the few tiles of small images).
@inline(__always)
func simdLoad<V: SIMD>(_ p: UnsafePointer<Float>, as type: V.Type = V.self) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

/// Unaligned store of any SIMD vector of Floats.
@inline(__always)
func simdStore<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}

/// Narrow vectors that store four of themselves interleaved: a[0], b[0], c[0], d[0], a[1], …
/// (the four columns of small Winograd output tiles, side by side).
protocol InterleavedStore: SIMD where Scalar == Float {
    static func storeInterleaved(_ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>)
}

extension SIMD4: InterleavedStore where Scalar == Float {
    @inline(__always)
    static func storeInterleaved(_ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>) {
        var ac = SIMD8<Float>(), bd = SIMD8<Float>()
        (ac.evenHalf, ac.oddHalf, bd.evenHalf, bd.oddHalf) = (a, c, b, d)
        simdStore(simdInterleave(ac, bd), p)
    }
}

extension SIMD2: InterleavedStore where Scalar == Float {
    @inline(__always)
    static func storeInterleaved(_ a: Self, _ b: Self, _ c: Self, _ d: Self, to p: UnsafeMutablePointer<Float>) {
        var ac = SIMD4<Float>(), bd = SIMD4<Float>()
        (ac.evenHalf, ac.oddHalf, bd.evenHalf, bd.oddHalf) = (a, c, b, d)
        var all = SIMD8<Float>()
        (all.evenHalf, all.oddHalf) = (ac, bd)
        simdStore(all, p)
    }
}
