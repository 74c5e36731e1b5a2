/// In-place and out-of-place arithmetic on plain tensors (no graph), used by kernels,
/// backward passes and optimizers. Loops are over raw pointers so they vectorise.
extension Tensor {
    public mutating func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(other.count == count, "addInPlace: \(other.shape) into \(shape)")
        ensureUnique()
        let d = storage.pointer
        let s = other.storage.pointer
        parallelChunks(count) { r in
            if scale == 1 {
                for i in r { d[i] += s[i] }
            } else {
                for i in r { d[i] += scale * s[i] }
            }
        }
    }

    public mutating func scaleInPlace(_ factor: Float) {
        ensureUnique()
        let d = storage.pointer
        parallelChunks(count) { r in for i in r { d[i] *= factor } }
    }

    public mutating func fill(_ value: Float) {
        ensureUnique()
        storage.pointer.update(repeating: value, count: count)
    }

    public func scaled(_ factor: Float) -> Tensor { map { $0 * factor } }

    /// Elementwise transform into a new tensor.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        let s = storage.pointer
        let d = out.unsafePointer
        parallelChunks(count) { r in for i in r { d[i] = f(s[i]) } }
        out.ensureUnique()
        return out
    }

    /// Elementwise combination of two tensors of the same shape into a new tensor.
    @inlinable
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(other.shape == shape, "zipMap: shapes \(shape) and \(other.shape) differ")
        let out = Tensor(uninitializedShape: shape)
        let a = storage.pointer
        let b = other.storage.pointer
        let d = out.unsafePointer
        parallelChunks(count) { r in for i in r { d[i] = f(a[i], b[i]) } }
        return out
    }

    /// Sum of all elements: 8-lane Float partial sums per block of 4096, blocks added in Double,
    /// so the loop vectorises and large sums stay exact.
    public func sum() -> Double {
        let p = storage.pointer
        var total = 0.0
        var i = 0
        while i < count {
            let n = Swift.min(4096, count - i)
            total += Double(VectorReductions.sum(p + i, count: n))
            i += n
        }
        return total
    }

    public func squaredNorm() -> Double {
        let p = storage.pointer
        var total = 0.0
        var i = 0
        while i < count {
            let n = Swift.min(4096, count - i)
            total += Double(VectorReductions.dot(p + i, p + i, count: n))
            i += n
        }
        return total
    }

    public func maxAbsoluteDifference(_ other: Tensor) -> Float {
        precondition(other.count == count, "maxAbsoluteDifference: \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, abs(storage.pointer[i] - other.storage.pointer[i])) }
        return m
    }
}
