/// Numerically stable softmax over the last dimension: exp(x − max) / Σ exp(x − max) per row.
public func softmax(lastDimensionOf x: Variable) -> Variable {
    precondition(
        x.shape.count >= 1 && x.shape.last! > 0, "softmax: input needs a non-empty last dimension, got \(x.shape)")
    let d = x.shape.last!
    let rows = x.value.count / d
    let out = Tensor(uninitializedShape: x.shape)
    let xp = x.value.unsafePointer, yp = out.unsafePointer
    let minimumRows = Swift.max(1, 8192 / d)
    parallelChunks(rows, minimumPerThread: minimumRows) { range in
        for row in range {
            (yp + row * d).update(from: xp + row * d, count: d)
            AttentionKernel.softmaxInPlace(yp + row * d, count: d)
        }
    }
    return Variable.result(out, operation: "softmax", inputs: [x]) { g in
        // ∂x = y ⊙ (∂y − Σ ∂y ⊙ y) per row.
        let dx = Tensor(uninitializedShape: out.shape)
        let gp = g.unsafePointer, dp = dx.unsafePointer, yp = out.unsafePointer
        parallelChunks(rows, minimumPerThread: minimumRows) { range in
            for row in range {
                let ys = yp + row * d, gs = gp + row * d, ds = dp + row * d
                let centre = VectorReductions.dot(gs, ys, count: d)
                for j in 0..<d { ds[j] = ys[j] * (gs[j] - centre) }
            }
        }
        return [dx]
    }
}
