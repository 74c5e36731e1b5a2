/// `F.layer_norm` over the last dimension: each row of length D is normalised to zero mean and
/// unit (biased) variance, then scaled by `weight` and shifted by `bias` ([D] each, optional).
public func layerNorm(_ x: Variable, weight: Variable?, bias: Variable?, epsilon: Float = 1e-5) -> Variable {
    precondition(
        x.shape.count >= 1 && x.shape.last! > 0, "layerNorm: input needs a non-empty last dimension, got \(x.shape)")
    let d = x.shape.last!
    if let weight { precondition(weight.shape == [d], "layerNorm: weight \(weight.shape), expected [\(d)]") }
    if let bias { precondition(bias.shape == [d], "layerNorm: bias \(bias.shape), expected [\(d)]") }
    let xv = x.value
    let rows = xv.count / d
    let gamma = weight?.value, beta = bias?.value
    let out = Tensor(uninitializedShape: xv.shape)
    let mean = Tensor(uninitializedShape: [rows]), inverseStd = Tensor(uninitializedShape: [rows])
    let xp = xv.unsafePointer, yp = out.unsafePointer
    let mp = mean.unsafePointer, rp = inverseStd.unsafePointer
    let gp = gamma?.unsafePointer, bp = beta?.unsafePointer
    let minimumRows = Swift.max(1, 16_384 / d)
    parallelChunks(rows, minimumPerThread: minimumRows) { range in
        for row in range {
            let xs = xp + row * d, ys = yp + row * d
            let mu = xs[0] + VectorReductions.sum(xs, count: d, center: xs[0]) / Float(d)
            let variance = Double(VectorReductions.sumOfSquares(xs, count: d, center: mu)) / Double(d)
            let r = Float(1 / (variance + Double(epsilon)).squareRoot())
            mp[row] = mu
            rp[row] = r
            switch (gp, bp) {
            case let (g?, b?): for i in 0..<d { ys[i] = (xs[i] - mu) * r * g[i] + b[i] }
            case let (g?, nil): for i in 0..<d { ys[i] = (xs[i] - mu) * r * g[i] }
            case let (nil, b?): for i in 0..<d { ys[i] = (xs[i] - mu) * r + b[i] }
            case (nil, nil): for i in 0..<d { ys[i] = (xs[i] - mu) * r }
            }
        }
    }
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let needX = x.requiresGrad
    return Variable.result(out, operation: "layerNorm", inputs: inputs) { g in
        // Pointers are taken from tensors the closure holds: the forward's locals are gone by now.
        let xp = xv.unsafePointer, mp = mean.unsafePointer, rp = inverseStd.unsafePointer
        let gp = gamma?.unsafePointer
        let dx = Tensor(uninitializedShape: xv.shape)
        // Each thread sums its rows' γ and β gradients into its own slice; the slices are added after.
        let threads = Swift.max(1, Swift.min(ComputeThreads.count, rows / minimumRows))
        let partialGamma = Tensor(zeros: [threads, d]), partialBeta = Tensor(zeros: [threads, d])
        let gradp = g.unsafePointer, dxp = dx.unsafePointer
        let chunk = (rows + threads - 1) / threads
        parallelFor(threads) { t in
            let pg = partialGamma.unsafePointer + t * d, pb = partialBeta.unsafePointer + t * d
            for row in (t * chunk)..<Swift.min(rows, (t + 1) * chunk) {
                let xs = xp + row * d, gs = gradp + row * d, dxs = dxp + row * d
                let mu = mp[row], r = rp[row]
                for i in 0..<d {
                    pg[i] += gs[i] * (xs[i] - mu) * r
                    pb[i] += gs[i]
                }
                guard needX else { continue }
                // ∂x̂ = γ·∂y (kept in dx), then dx = r·(∂x̂ − mean ∂x̂ − x̂ · mean(∂x̂·x̂)).
                if let gamma = gp {
                    for i in 0..<d { dxs[i] = gs[i] * gamma[i] }
                } else {
                    dxs.update(from: gs, count: d)
                }
                let sums = VectorReductions.sumAndCenteredDot(dxs, xs, count: d, center: mu)
                let m1 = sums.sum / Float(d), m2 = sums.dot * r / Float(d)
                for i in 0..<d { dxs[i] = r * (dxs[i] - m1 - (xs[i] - mu) * r * m2) }
            }
        }
        func reduced(_ partial: Tensor) -> Tensor {
            let total = Tensor(zeros: [d])
            for t in 0..<threads { for i in 0..<d { total.unsafePointer[i] += partial.unsafePointer[t * d + i] } }
            return total
        }
        var grads: [Tensor?] = [needX ? dx : nil]
        if weight != nil { grads.append(reduced(partialGamma)) }
        if bias != nil { grads.append(reduced(partialBeta)) }
        return grads
    }
}
