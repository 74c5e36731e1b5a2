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
