/// Group normalisation on NCHW tensors (PyTorch's `F.group_norm`, biased variance) and its
/// fused forms for the ResBlock: `silu(GN(x))` and `silu(GN(x) · (1 + scale) + shift)`.
/// The fused forms produce the same values as the separate ops but read and write the
/// activation once instead of two or three times, forward and backward.

/// `F.group_norm(x, groups, weight, bias, eps)`: normalise each (sample, group of channels)
/// to zero mean and unit variance, then apply the per-channel affine `weight`, `bias` ([C] each).
public func groupNorm(
    _ x: Variable, groups: Int, weight: Variable?, bias: Variable?,
    epsilon: Float = 1e-5
) -> Variable {
    groupNormCore(
        x, groups: groups, weight: weight, bias: bias, scale: nil, shift: nil,
        modulation: nil, silu: false, epsilon: epsilon, operation: "groupNorm")
}

/// `silu(groupNorm(x, …))` in one pass.
public func groupNormSiLU(
    _ x: Variable, groups: Int, weight: Variable?, bias: Variable?,
    epsilon: Float = 1e-5
) -> Variable {
    groupNormCore(
        x, groups: groups, weight: weight, bias: bias, scale: nil, shift: nil,
        modulation: nil, silu: true, epsilon: epsilon, operation: "groupNormSiLU")
}

/// `groupNorm(x, …) · (1 + scale) + shift`, then SiLU when `silu` is true; `scale` and `shift`
/// are per sample and channel, [N, C] or [N, C, 1, 1] (a time-embedding projection).
public func groupNormScaleShift(
    _ x: Variable, groups: Int, weight: Variable?, bias: Variable?,
    scale: Variable, shift: Variable, silu: Bool,
    epsilon: Float = 1e-5
) -> Variable {
    groupNormCore(
        x, groups: groups, weight: weight, bias: bias, scale: scale, shift: shift,
        modulation: nil, silu: silu, epsilon: epsilon, operation: "groupNormScaleShift")
}

/// As `groupNormScaleShift`, with scale and shift taken from one [N, 2C] (or [N, 2C, 1, 1])
/// tensor, scale first — the two halves of PyTorch's `linear(silu(e)).chunk(2, dim=1)` — so no
/// split op is needed; the gradient comes back in the same [N, 2C] layout.
public func groupNormScaleShift(
    _ x: Variable, groups: Int, weight: Variable?, bias: Variable?,
    modulation: Variable, silu: Bool, epsilon: Float = 1e-5
) -> Variable {
    groupNormCore(
        x, groups: groups, weight: weight, bias: bias, scale: nil, shift: nil,
        modulation: modulation, silu: silu, epsilon: epsilon, operation: "groupNormScaleShift")
}

/// Per-(sample, channel) modulation operands: where scale and shift live and the shapes to
/// return their gradients in.
private struct GroupNormModulationLayout {
    /// Per-sample stride between rows of scale (and of shift) values.
    let rowStride: Int
    /// Where the shift values start within a row (scale values start at 0).
    let shiftStart: Int
}

private func checkGroupNormModulationShape(_ v: Variable, n: Int, c: Int, _ what: String, _ op: String) {
    let s = v.shape
    precondition(
        s == [n, c] || s == [n, c, 1, 1],
        "\(op): \(what) must be [\(n), \(c)] or [\(n), \(c), 1, 1], got \(s)")
}

private func groupNormCore(
    _ x: Variable, groups: Int, weight: Variable?, bias: Variable?,
    scale: Variable?, shift: Variable?, modulation: Variable?,
    silu: Bool, epsilon: Float, operation: String
) -> Variable {
    let (n, c, h, w) = x.value.nchw(operation)
    precondition(
        groups > 0 && c % groups == 0,
        "\(operation): \(c) channels cannot be split into \(groups) groups")
    if let weight { precondition(weight.shape == [c], "\(operation): weight \(weight.shape), expected [\(c)]") }
    if let bias { precondition(bias.shape == [c], "\(operation): bias \(bias.shape), expected [\(c)]") }
    if let scale { checkGroupNormModulationShape(scale, n: n, c: c, "scale", operation) }
    if let shift { checkGroupNormModulationShape(shift, n: n, c: c, "shift", operation) }
    if let modulation { checkGroupNormModulationShape(modulation, n: n, c: 2 * c, "modulation", operation) }

    let kernel = GroupNormKernel(batch: n, channels: c, groups: groups, spatial: h * w, silu: silu)
    let gamma = weight?.value, beta = bias?.value
    // Scale and shift as flat [N, C] reads: from two tensors, or from the halves of one.
    let scaleValues: Tensor? = scale?.value ?? modulation?.value
    let shiftValues: Tensor? = shift?.value ?? modulation?.value
    let layout =
        modulation != nil
        ? GroupNormModulationLayout(rowStride: 2 * c, shiftStart: c)
        : GroupNormModulationLayout(rowStride: c, shiftStart: 0)

    // gain[n,c] = γ·(1 + s), offset[n,c] = β·(1 + s) + t.
    let gain = Tensor(uninitializedShape: [n * c]), offset = Tensor(uninitializedShape: [n * c])
    let gp = gain.unsafePointer, op = offset.unsafePointer
    for sample in 0..<n {
        for ch in 0..<c {
            let g = gamma?.unsafePointer[ch] ?? 1, b = beta?.unsafePointer[ch] ?? 0
            let s = scaleValues.map { $0.unsafePointer[sample * layout.rowStride + ch] } ?? 0
            let t = shiftValues.map { $0.unsafePointer[sample * layout.rowStride + layout.shiftStart + ch] } ?? 0
            gp[sample * c + ch] = g * (1 + s)
            op[sample * c + ch] = b * (1 + s) + t
        }
    }

    let xv = x.value
    let out = Tensor(uninitializedShape: xv.shape)
    let mean = Tensor(uninitializedShape: [kernel.blockCount])
    let inverseStd = Tensor(uninitializedShape: [kernel.blockCount])
    kernel.forward(
        x: xv.unsafePointer, output: out.unsafePointer, gain: gp, offset: op, epsilon: epsilon,
        mean: mean.unsafePointer, inverseStd: inverseStd.unsafePointer)

    var inputs: [Variable] = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    if let scale { inputs.append(scale) }
    if let shift { inputs.append(shift) }
    if let modulation { inputs.append(modulation) }
    let needX = x.requiresGrad
    return Variable.result(out, operation: operation, inputs: inputs) { g in
        let dx = Tensor(uninitializedShape: xv.shape)
        let sumGrad = Tensor(uninitializedShape: [n * c]), sumGradNorm = Tensor(uninitializedShape: [n * c])
        kernel.backward(
            x: xv.unsafePointer, gradOutput: g.unsafePointer, gradInput: dx.unsafePointer,
            needInput: needX, gain: gain.unsafePointer, offset: offset.unsafePointer,
            mean: mean.unsafePointer, inverseStd: inverseStd.unsafePointer,
            sumGradient: sumGrad.unsafePointer, sumGradientNormalized: sumGradNorm.unsafePointer)
        let s1 = sumGrad.unsafePointer, s2 = sumGradNorm.unsafePointer
        func onePlusScale(_ sample: Int, _ ch: Int) -> Float {
            1 + (scaleValues.map { $0.unsafePointer[sample * layout.rowStride + ch] } ?? 0)
        }
        var grads: [Tensor?] = [needX ? dx : nil]
        if weight != nil {
            // ∂γ[c] = Σ_n ∂gain[n,c] · (1 + s[n,c]), ∂gain = Σ ∂h · x̂.
            let d = Tensor(zeros: [c])
            for sample in 0..<n {
                for ch in 0..<c { d.unsafePointer[ch] += s2[sample * c + ch] * onePlusScale(sample, ch) }
            }
            grads.append(d)
        }
        if bias != nil {
            let d = Tensor(zeros: [c])
            for sample in 0..<n {
                for ch in 0..<c { d.unsafePointer[ch] += s1[sample * c + ch] * onePlusScale(sample, ch) }
            }
            grads.append(d)
        }
        // ∂s = ∂gain · γ + ∂offset · β, ∂t = ∂offset.
        func scaleGradient(into d: UnsafeMutablePointer<Float>, rowStride: Int) {
            for sample in 0..<n {
                for ch in 0..<c {
                    let gv = gamma?.unsafePointer[ch] ?? 1, bv = beta?.unsafePointer[ch] ?? 0
                    d[sample * rowStride + ch] = s2[sample * c + ch] * gv + s1[sample * c + ch] * bv
                }
            }
        }
        func shiftGradient(into d: UnsafeMutablePointer<Float>, rowStride: Int) {
            for sample in 0..<n { for ch in 0..<c { d[sample * rowStride + ch] = s1[sample * c + ch] } }
        }
        if let scale {
            let d = Tensor(uninitializedShape: scale.shape)
            scaleGradient(into: d.unsafePointer, rowStride: c)
            grads.append(d)
        }
        if let shift {
            let d = Tensor(uninitializedShape: shift.shape)
            shiftGradient(into: d.unsafePointer, rowStride: c)
            grads.append(d)
        }
        if let modulation {
            let d = Tensor(uninitializedShape: modulation.shape)
            scaleGradient(into: d.unsafePointer, rowStride: 2 * c)
            shiftGradient(into: d.unsafePointer + c, rowStride: 2 * c)
            grads.append(d)
        }
        return grads
    }
}
