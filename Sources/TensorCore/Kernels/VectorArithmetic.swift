/// Element-wise loops on raw Float buffers shared by the kernels (the compiler vectorises them).
enum VectorArithmetic {
    /// dst[i] += source[i] for i < count.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += source[i] }
    }
}
