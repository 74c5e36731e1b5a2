/// Reordering of dimensions (PyTorch's `permute`, `transpose(-1, -2)`), copying into a new
/// contiguous tensor; the gradient is permuted back.
extension Variable {
    /// Dimension i of the result is dimension `order[i]` of this tensor.
    public func permuted(_ order: [Int]) -> Variable {
        let shape = self.shape
        precondition(
            order.count == shape.count && Set(order) == Set(0..<shape.count),
            "permuted: \(order) is not a permutation of the \(shape.count) dimensions of \(shape)")
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Variable.result(PermuteKernel.apply(value, order), operation: "permute", inputs: [self]) { g in
            [PermuteKernel.apply(g, inverse)]
        }
    }

    /// Swaps the last two dimensions ([…, A, B] → […, B, A]).
    public func transposeLastTwo() -> Variable {
        let r = shape.count
        precondition(r >= 2, "transposeLastTwo: needs at least two dimensions, got \(shape)")
        return permuted(Array(0..<(r - 2)) + [r - 1, r - 2])
    }
}

enum PermuteKernel {
    static func apply(_ x: Tensor, _ order: [Int]) -> Tensor {
        let shape = x.shape, r = shape.count
        let outShape = order.map { shape[$0] }
        if order == Array(0..<r) { return x.reshaped(outShape) }
        let out = Tensor(uninitializedShape: outShape)
        if x.count == 0 { return out }
        var strides = [Int](repeating: 1, count: r)
        for i in stride(from: r - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        let src = x.unsafePointer, dst = out.unsafePointer
        // A batched transpose of the last two dimensions goes through cache-sized tiles.
        if r >= 2 && order == Array(0..<(r - 2)) + [r - 1, r - 2] {
            let rows = shape[r - 2], cols = shape[r - 1], batch = x.count / (rows * cols)
            parallelChunks(batch, minimumPerThread: Swift.max(1, 16_384 / (rows * cols))) { range in
                for b in range {
                    transposeTiled(src + b * rows * cols, dst + b * rows * cols, rows: rows, cols: cols)
                }
            }
            return out
        }
        // General case: walk output rows (innermost output dimension), reading with the
        // matching input stride.
        let inner = outShape[r - 1], innerStride = strides[order[r - 1]]
        let outerCount = out.count / inner
        let outerShape = Array(outShape.dropLast()), outerStrides = order.dropLast().map { strides[$0] }
        parallelChunks(outerCount, minimumPerThread: Swift.max(1, 16_384 / inner)) { range in
            for row in range {
                var rem = row, offset = 0
                for d in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    offset += (rem % outerShape[d]) * outerStrides[d]
                    rem /= outerShape[d]
                }
                let o = dst + row * inner
                if innerStride == 1 {
                    o.update(from: src + offset, count: inner)
                } else {
                    for i in 0..<inner { o[i] = src[offset + i * innerStride] }
                }
            }
        }
        return out
    }

    /// dst [cols, rows] = srcᵀ for src [rows, cols], in 32 × 32 tiles.
    private static func transposeTiled(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
        rows: Int, cols: Int
    ) {
        let tile = 32
        var i0 = 0
        while i0 < rows {
            let i1 = Swift.min(rows, i0 + tile)
            var j0 = 0
            while j0 < cols {
                let j1 = Swift.min(cols, j0 + tile)
                for i in i0..<i1 { for j in j0..<j1 { dst[j * rows + i] = src[i * cols + j] } }
                j0 = j1
            }
            i0 = i1
        }
    }
}
