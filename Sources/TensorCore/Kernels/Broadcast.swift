/// NumPy-style broadcasting of two shapes, with the loops that walk them.
///
/// Shapes are aligned on the right; a dimension of 1 (or a missing one) repeats. The
/// walk collapses dimensions that are contiguous for every operand, so the common cases —
/// equal shapes, a per-channel [1,C,1,1] or per-sample [N,C,1,1] operand — become a few long
/// inner loops with stride 0 or 1.
public struct BroadcastPlan {
    public let outputShape: [Int]
    /// Collapsed dimensions: sizes and, per operand, element strides (0 where broadcast).
    @usableFromInline let sizes: [Int]
    @usableFromInline let stridesA: [Int]
    @usableFromInline let stridesB: [Int]

    public init?(_ a: [Int], _ b: [Int]) {
        let rank = Swift.max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            if pa[i] == pb[i] || pb[i] == 1 { out[i] = pa[i] } else if pa[i] == 1 { out[i] = pb[i] } else { return nil }
        }
        outputShape = out
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: rank)
            var acc = 1
            for i in stride(from: rank - 1, through: 0, by: -1) {
                st[i] = s[i] == 1 ? 0 : acc
                acc *= s[i]
            }
            return st
        }
        let sa = strides(pa)
        let sb = strides(pb)
        // Collapse neighbouring dimensions whose strides chain for both operands.
        var sizes: [Int] = []
        var ca: [Int] = []
        var cb: [Int] = []
        for i in 0..<rank where out[i] != 1 {
            if let last = sizes.indices.last,
                ca[last] == sa[i] * out[i], cb[last] == sb[i] * out[i]
            {
                sizes[last] *= out[i]
                ca[last] = sa[i]
                cb[last] = sb[i]
            } else {
                sizes.append(out[i])
                ca.append(sa[i])
                cb.append(sb[i])
            }
        }
        if sizes.isEmpty {
            sizes = [1]
            ca = [0]
            cb = [0]
        }
        self.sizes = sizes
        self.stridesA = ca
        self.stridesB = cb
    }

    /// Calls `body(offsetA, offsetB, offsetOut, length, strideA, strideB)` for each run of the innermost
    /// collapsed dimension; outer runs are split over the compute threads.
    @inlinable
    public func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let inner = sizes[sizes.count - 1]
        let ia = stridesA[sizes.count - 1]
        let ib = stridesB[sizes.count - 1]
        let outer = sizes.count == 1 ? 1 : sizes.dropLast().reduce(1, *)
        let grain = Swift.max(1, 16_384 / Swift.max(inner, 1))
        parallelChunks(outer, minimumPerThread: grain) { range in
            for run in range {
                var rem = run
                var oa = 0
                var ob = 0
                var d = sizes.count - 2
                while d >= 0 {
                    let idx = rem % sizes[d]
                    rem /= sizes[d]
                    oa += idx * stridesA[d]
                    ob += idx * stridesB[d]
                    d -= 1
                }
                body(oa, ob, run * inner, inner, ia, ib)
            }
        }
    }
}

extension Tensor {
    /// Sums this tensor (a gradient of a broadcast result) down to `targetShape`,
    /// the shape of the operand that was broadcast.
    public func summed(toShape targetShape: [Int]) -> Tensor {
        if targetShape == shape { return self }
        guard let plan = BroadcastPlan(shape, targetShape), plan.outputShape == shape else {
            preconditionFailure("summed(toShape:): \(targetShape) does not broadcast to \(shape)")
        }
        let out = Tensor(zeros: targetShape)
        let g = unsafePointer
        let d = out.unsafePointer
        // Runs of the target may be shared between threads, so accumulate serially.
        let inner = plan.sizes[plan.sizes.count - 1]
        let ib = plan.stridesB[plan.sizes.count - 1]
        let outer = plan.sizes.count == 1 ? 1 : plan.sizes.dropLast().reduce(1, *)
        for run in 0..<outer {
            var rem = run
            var ob = 0
            var dim = plan.sizes.count - 2
            while dim >= 0 {
                ob += (rem % plan.sizes[dim]) * plan.stridesB[dim]
                rem /= plan.sizes[dim]
                dim -= 1
            }
            let src = g + run * inner
            if ib == 0 {
                var s: Float = 0
                for i in 0..<inner { s += src[i] }
                d[ob] += s
            } else {
                let dst = d + ob
                for i in 0..<inner { dst[i * ib] += src[i] }
            }
        }
        return out
    }
}
