/// Per-sample, per-channel modulation of an NCHW activation by a conditioning vector:
/// y = x · (1 + scale) + shift, with scale and shift [N, C] (or [N, C, 1, 1]) broadcast over H, W.
/// (When it follows a GroupNorm, `groupNormScaleShift` does the same in the normalisation's pass.)
public func scaleShift(_ x: Variable, scale: Variable, shift: Variable) -> Variable {
    let (n, c, h, w) = x.value.nchw("scaleShift")
    for (v, what) in [(scale, "scale"), (shift, "shift")] {
        precondition(
            v.shape == [n, c] || v.shape == [n, c, 1, 1],
            "scaleShift: \(what) must be [\(n), \(c)] or [\(n), \(c), 1, 1], got \(v.shape)")
    }
    let hw = h * w, planes = n * c
    let xv = x.value, sv = scale.value, tv = shift.value
    let out = Tensor(uninitializedShape: xv.shape)
    let xp = xv.unsafePointer, sp = sv.unsafePointer, tp = tv.unsafePointer, yp = out.unsafePointer
    let minimumPlanes = Swift.max(1, 16_384 / Swift.max(hw, 1))
    parallelChunks(planes, minimumPerThread: minimumPlanes) { range in
        for plane in range {
            let a = 1 + sp[plane], b = tp[plane]
            let xs = xp + plane * hw, ys = yp + plane * hw
            for i in 0..<hw { ys[i] = xs[i] * a + b }
        }
    }
    let needX = x.requiresGrad, needScale = scale.requiresGrad, needShift = shift.requiresGrad
    return Variable.result(out, operation: "scaleShift", inputs: [x, scale, shift]) { g in
        let dx = needX ? Tensor(uninitializedShape: xv.shape) : nil
        let ds = needScale ? Tensor(uninitializedShape: sv.shape) : nil
        let dt = needShift ? Tensor(uninitializedShape: tv.shape) : nil
        let gp = g.unsafePointer, xp = xv.unsafePointer, sp = sv.unsafePointer
        parallelChunks(planes, minimumPerThread: minimumPlanes) { range in
            for plane in range {
                let gs = gp + plane * hw, xs = xp + plane * hw
                if let dx {
                    let a = 1 + sp[plane], d = dx.unsafePointer + plane * hw
                    for i in 0..<hw { d[i] = gs[i] * a }
                }
                if let ds { ds.unsafePointer[plane] = VectorReductions.dot(gs, xs, count: hw) }
                if let dt { dt.unsafePointer[plane] = VectorReductions.sum(gs, count: hw) }
            }
        }
        return [dx, ds, dt]
    }
}
