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

/// [even[0], odd[0], even[1], odd[1], …] of two 4-lane halves.
@inline(__always)
func simdInterleave(_ even: SIMD4<Float>, _ odd: SIMD4<Float>) -> SIMD8<Float> {
    var v = SIMD8<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    return v
}

/// [even[0], odd[0], even[1], odd[1], …] of two 2-lane halves.
@inline(__always)
func simdInterleave(_ even: SIMD2<Float>, _ odd: SIMD2<Float>) -> SIMD4<Float> {
    var v = SIMD4<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    return v
}
