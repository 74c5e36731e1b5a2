/// Scaled dot-product attention, softmax(q kᵀ · scale) v, with gradients for q, k and v.

/// `F.scaled_dot_product_attention(q, k, v, scale=scale)` on [B, heads, T, D] tensors
/// (k and v may have a different token count from q). The default scale is 1/√D.
public func scaledDotProductAttention(q: Variable, k: Variable, v: Variable, scale: Float? = nil) -> Variable {
    precondition(
        q.shape.count == 4 && k.shape.count == 4 && v.shape.count == 4,
        "scaledDotProductAttention: q, k, v must be [batch, heads, tokens, dim], got \(q.shape), \(k.shape), \(v.shape)"
    )
    let (b, h, tq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
    let tk = k.shape[2]
    precondition(
        k.shape == [b, h, tk, d] && v.shape == k.shape,
        "scaledDotProductAttention: k \(k.shape) and v \(v.shape) do not match q \(q.shape)")
    let kernel = AttentionKernel(
        problems: b * h, headsPerSample: h, queryTokens: tq, keyTokens: tk, dimension: d,
        featureMajor: false, querySampleStride: h * tq * d, keySampleStride: h * tk * d,
        outputSampleStride: h * tq * d)
    return attention(
        kernel, q: q, k: k, v: v, outputShape: [b, h, tq, d],
        scale: scale ?? 1 / Float(d).squareRoot(), operation: "scaledDotProductAttention")
}

/// Self-attention over the H·W positions of an NCHW tensor, straight from the output of the
/// q/k/v 1×1 convolution: `qkv` is [B, 3C, H, W] with channels ordered q, k, v and each split
/// into `heads` heads of C/heads channels (PyTorch's `qkv.reshape(B, 3, heads, C/heads, H·W)`).
/// Returns [B, C, H, W] — the attention output with its channels back in NCHW, ready for the
/// output projection — without any permute copies. The default scale is 1/√(C/heads).
public func spatialSelfAttention(_ qkv: Variable, heads: Int = 1, scale: Float? = nil) -> Variable {
    let (b, c3, hh, ww) = qkv.value.nchw("spatialSelfAttention")
    precondition(
        c3 % 3 == 0 && heads > 0 && (c3 / 3) % heads == 0,
        "spatialSelfAttention: \(c3) channels are not 3 × (heads = \(heads)) × head size")
    let c = c3 / 3, t = hh * ww, d = c / heads
    let kernel = AttentionKernel(
        problems: b * heads, headsPerSample: heads, queryTokens: t, keyTokens: t,
        dimension: d, featureMajor: true, querySampleStride: 3 * c * t,
        keySampleStride: 3 * c * t, outputSampleStride: c * t)
    let scaleValue = scale ?? 1 / Float(d).squareRoot()
    let qkvValue = qkv.value
    let base = qkvValue.unsafePointer
    let out = Tensor(uninitializedShape: [b, c, hh, ww])
    let probabilities = Tensor(uninitializedShape: [b * heads, t, t])
    kernel.forward(
        q: base, k: base + c * t, v: base + 2 * c * t, scale: scaleValue,
        probabilities: probabilities.unsafePointer, output: out.unsafePointer)
    return Variable.result(out, operation: "spatialSelfAttention", inputs: [qkv]) { g in
        let grad = Tensor(uninitializedShape: qkvValue.shape)
        let gp = grad.unsafePointer, base = qkvValue.unsafePointer
        kernel.backward(
            q: base, k: base + c * t, v: base + 2 * c * t, scale: scaleValue,
            probabilities: probabilities.unsafePointer, gradOutput: g.unsafePointer,
            gradQ: gp, gradK: gp + c * t, gradV: gp + 2 * c * t)
        return [grad]
    }
}

private func attention(
    _ kernel: AttentionKernel, q: Variable, k: Variable, v: Variable, outputShape: [Int],
    scale: Float, operation: String
) -> Variable {
    let qv = q.value, kv = k.value, vv = v.value
    let out = Tensor(uninitializedShape: outputShape)
    let probabilities = Tensor(uninitializedShape: [kernel.problems, kernel.queryTokens, kernel.keyTokens])
    kernel.forward(
        q: qv.unsafePointer, k: kv.unsafePointer, v: vv.unsafePointer, scale: scale,
        probabilities: probabilities.unsafePointer, output: out.unsafePointer)
    let needQ = q.requiresGrad, needK = k.requiresGrad, needV = v.requiresGrad
    return Variable.result(out, operation: operation, inputs: [q, k, v]) { g in
        // All three are computed together (they share ∂S); unneeded ones are dropped.
        let dq = Tensor(uninitializedShape: qv.shape), dk = Tensor(uninitializedShape: kv.shape)
        let dv = Tensor(uninitializedShape: vv.shape)
        kernel.backward(
            q: qv.unsafePointer, k: kv.unsafePointer, v: vv.unsafePointer, scale: scale,
            probabilities: probabilities.unsafePointer, gradOutput: g.unsafePointer,
            gradQ: dq.unsafePointer, gradK: dk.unsafePointer, gradV: dv.unsafePointer)
        return [needQ ? dq : nil, needK ? dk : nil, needV ? dv : nil]
    }
}
