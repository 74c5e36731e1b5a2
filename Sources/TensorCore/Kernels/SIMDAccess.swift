/// Unaligned SIMD loads and stores on Float buffers, for loops the compiler does not vectorise
/// by itself (stride-2 access, interleaving). Even/odd halves of a 16-lane vector deinterleave
/// pairs in registers.
@inline(__always)
func loadVector8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func loadVector16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func storeVector(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always)
func storeVector(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// [even[0], odd[0], even[1], odd[1], …].
@inline(__always)
func interleave(_ even: SIMD8<Float>, _ odd: SIMD8<Float>) -> SIMD16<Float> {
    var v = SIMD16<Float>()
    v.evenHalf = even
    v.oddHalf = odd
    return v
}
