import CBLAS

/// softmax(Q Kᵀ · scale) V for many independent (sample, head) problems, forward and backward.
///
/// Each head's matrices are either token-major ([T, D], the [B, heads, T, D] layout of
/// `F.scaled_dot_product_attention`) or feature-major ([D, T], which is how a 1×1 convolution
/// leaves q, k and v in an NCHW tensor: channels × positions). Feature-major heads are used in
/// place by transposing inside BLAS, so an attention block needs no permute copies at all.
/// The softmax probabilities P ([Tq, Tk] per head) are kept for the backward pass.
struct AttentionKernel {
    /// Number of (sample, head) problems.
    let problems: Int
    let headsPerSample: Int
    let queryTokens: Int
    let keyTokens: Int
    let dimension: Int
    let featureMajor: Bool
    /// Distance between samples in the q tensor, the k and v tensors, and the output tensor.
    let querySampleStride: Int
    let keySampleStride: Int
    let outputSampleStride: Int

    func queryOffset(_ i: Int) -> Int {
        (i / headsPerSample) * querySampleStride + (i % headsPerSample) * queryTokens * dimension
    }
    func keyOffset(_ i: Int) -> Int {
        (i / headsPerSample) * keySampleStride + (i % headsPerSample) * keyTokens * dimension
    }
    func outputOffset(_ i: Int) -> Int {
        (i / headsPerSample) * outputSampleStride + (i % headsPerSample) * queryTokens * dimension
    }

    // MARK: The three matrix products, in either layout

    /// [ta, tb] = alpha · A Bᵀ for token matrices A (ta tokens) and B (tb tokens).
    private func tokenProduct(
        _ a: UnsafePointer<Float>, tokensA ta: Int, _ b: UnsafePointer<Float>, tokensB tb: Int,
        alpha: Float, into c: UnsafeMutablePointer<Float>
    ) {
        gemm(
            transposeA: featureMajor, transposeB: !featureMajor, m: ta, n: tb, k: dimension, alpha: alpha,
            a: a, lda: featureMajor ? ta : dimension, b: b, ldb: featureMajor ? tb : dimension,
            c: c, ldc: tb)
    }

    /// Token matrix with rows = P · X, P [tp, tx], X a token matrix of tx tokens (result has tp tokens).
    private func mix(
        _ p: UnsafePointer<Float>, rows tp: Int, _ x: UnsafePointer<Float>, tokens tx: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        if featureMajor {
            // Cᵀ [D, tp] = Xᵀ [D, tx] · Pᵀ.
            gemm(transposeB: true, m: dimension, n: tp, k: tx, a: x, lda: tx, b: p, ldb: tx, c: c, ldc: tp)
        } else {
            gemm(m: tp, n: dimension, k: tx, a: p, lda: tx, b: x, ldb: dimension, c: c, ldc: dimension)
        }
    }

    /// Token matrix = Pᵀ · X, P [tx, tp], X a token matrix of tx tokens (result has tp tokens).
    private func mixTransposed(
        _ p: UnsafePointer<Float>, columns tp: Int, _ x: UnsafePointer<Float>, tokens tx: Int,
        into c: UnsafeMutablePointer<Float>
    ) {
        if featureMajor {
            // Cᵀ [D, tp] = Xᵀ [D, tx] · P.
            gemm(m: dimension, n: tp, k: tx, a: x, lda: tx, b: p, ldb: tp, c: c, ldc: tp)
        } else {
            gemm(
                transposeA: true, m: tp, n: dimension, k: tx, a: p, lda: tp, b: x, ldb: dimension,
                c: c, ldc: dimension)
        }
    }

    // MARK: Passes

    /// Writes the output and the probabilities ([problems, Tq, Tk]).
    func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, scale: Float,
        probabilities: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let tq = queryTokens, tk = keyTokens
        if featureMajor {
            forwardFeatureMajor(q: q, k: k, v: v, scale: scale, probabilities: probabilities, output: output)
            return
        }
        forEachProblem { i in
            let p = probabilities + i * tq * tk
            tokenProduct(q + queryOffset(i), tokensA: tq, k + keyOffset(i), tokensB: tk, alpha: scale, into: p)
            for row in 0..<tq { Self.softmaxInPlace(p + row * tk, count: tk) }
            mix(p, rows: tq, v + keyOffset(i), tokens: tk, into: output + outputOffset(i))
        }
    }

    /// `forward` for feature-major heads with the packed kernel: the per-head products are small
    /// (64 positions × 128 channels in the latent UNet), where OpenBLAS spends more time packing
    /// and dispatching than multiplying. S = (scale·Qᵀ) K; O [D, Tq] = V · Pᵀ.
    private func forwardFeatureMajor(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        scale: Float, probabilities: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        let tq = queryTokens, tk = keyTokens, d = dimension
        let queryPanels = PackedGEMM.packedCount(m: tq, k: d), valuePanels = PackedGEMM.packedCount(m: d, k: tk)
        let body = { (i: Int) in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: queryPanels + valuePanels + tk * tq) { buffer in
                let packedQuery = buffer.baseAddress!, packedValue = packedQuery + queryPanels
                let transposed = packedValue + valuePanels
                let p = probabilities + i * tq * tk
                PackedGEMM.packTransposed(q + queryOffset(i), m: tq, k: d, lds: tq, scale: scale, into: packedQuery)
                PackedGEMM.multiply(
                    m: tq, n: tk, k: d, packedA: packedQuery, b: k + keyOffset(i), ldb: tk, c: p, ldc: tk)
                for row in 0..<tq { Self.softmaxInPlace(p + row * tk, count: tk) }
                for row in 0..<tq {
                    for column in 0..<tk { transposed[column * tq + row] = p[row * tk + column] }
                }
                PackedGEMM.pack(v + keyOffset(i), m: d, k: tk, lda: tk, into: packedValue)
                PackedGEMM.multiply(
                    m: d, n: tq, k: tk, packedA: packedValue, b: transposed, ldb: tq,
                    c: output + outputOffset(i), ldc: tq)
            }
        }
        if problems == 1 || ComputeThreads.count == 1 {
            for i in 0..<problems { body(i) }
        } else {
            parallelFor(problems, body)
        }
    }

    /// Writes the gradients of q, k and v (same layout as the inputs) from that of the output.
    func backward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, scale: Float,
        probabilities: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradQ: UnsafeMutablePointer<Float>, gradK: UnsafeMutablePointer<Float>,
        gradV: UnsafeMutablePointer<Float>
    ) {
        let tq = queryTokens, tk = keyTokens
        forEachProblem { i in
            let p = probabilities + i * tq * tk
            let go = gradOutput + outputOffset(i)
            // ∂V = Pᵀ ∂O.
            mixTransposed(p, columns: tk, go, tokens: tq, into: gradV + keyOffset(i))
            // ∂P = ∂O Vᵀ, then through the softmax: ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)), times the scale.
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            defer { ds.deallocate() }
            tokenProduct(go, tokensA: tq, v + keyOffset(i), tokensB: tk, alpha: 1, into: ds)
            for row in 0..<tq {
                let pr = p + row * tk, dr = ds + row * tk
                let centre = VectorReductions.dot(dr, pr, count: tk)
                for j in 0..<tk { dr[j] = pr[j] * (dr[j] - centre) * scale }
            }
            // ∂Q = ∂S K, ∂K = ∂Sᵀ Q.
            mix(ds, rows: tq, k + keyOffset(i), tokens: tk, into: gradQ + queryOffset(i))
            mixTransposed(ds, columns: tk, q + queryOffset(i), tokens: tq, into: gradK + keyOffset(i))
        }
    }

    /// Runs the problems in parallel with single-threaded BLAS (each problem is too small to split
    /// well, and BLAS must not fan out from inside worker threads); a lone problem gets all threads.
    private func forEachProblem(_ body: (Int) -> Void) {
        if problems == 1 || ComputeThreads.count == 1 {
            for i in 0..<problems { body(i) }
            return
        }
        let saved = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(saved) }
        parallelFor(problems, body)
    }

    /// Numerically stable softmax of one row: exp(x − max) / Σ.
    @inline(__always)
    static func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, count n: Int) {
        let m = VectorReductions.maximum(row, count: n)
        for j in 0..<n { row[j] = FastMath.exp(row[j] - m) }
        let inverse = 1 / VectorReductions.sum(row, count: n)
        for j in 0..<n { row[j] *= inverse }
    }
}
