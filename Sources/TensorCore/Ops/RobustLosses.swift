/// Mean absolute error and Huber loss, with the calling convention of `mseLoss`: mean over all
/// elements, gradients to both arguments (a target that needs none gets none).

/// mean(|prediction − target|); the gradient of |d| at d = 0 is 0, as PyTorch's `sign`.
public func l1Loss(_ prediction: Variable, _ target: Variable) -> Variable {
    elementwiseLoss(
        prediction, target, operation: "l1Loss",
        total: { d in pointwiseMax(d, -d) },
        derivative: { d in d > 0 ? 1 : (d < 0 ? -1 : 0) })
}

/// Huber loss, mean reduction (PyTorch's `F.huber_loss(…, delta=delta)`):
/// ½d² where |d| < delta, delta·(|d| − ½delta) elsewhere.
public func huberLoss(_ prediction: Variable, _ target: Variable, delta: Float = 1) -> Variable {
    precondition(delta > 0, "huberLoss: delta must be positive, got \(delta)")
    let deltaVector = SIMD8<Float>(repeating: delta)
    return elementwiseLoss(
        prediction, target, operation: "huberLoss",
        total: { d in
            // With m = min(|d|, delta), m·(|d| − ½m) covers both branches.
            let a = pointwiseMax(d, -d)
            let m = pointwiseMin(a, deltaVector)
            return m * (a - 0.5 * m)
        },
        derivative: { d in Swift.min(Swift.max(d, -delta), delta) })
}

/// mean(f(prediction − target)) with `total` = f on eight differences at a time and
/// `derivative` = f′ on one.
@inline(__always)
private func elementwiseLoss(
    _ prediction: Variable, _ target: Variable, operation: String,
    total: (SIMD8<Float>) -> SIMD8<Float>,
    derivative: @escaping (Float) -> Float
) -> Variable {
    let p = prediction.value, t = target.value
    precondition(p.shape == t.shape, "\(operation): prediction \(p.shape) and target \(t.shape) differ")
    let n = p.count
    let pp = p.unsafePointer, tp = t.unsafePointer
    // Blocks of 4096 summed in 8 float lanes, blocks added in Double.
    let blocks = (n + 4095) / 4096
    let blockSums = Tensor(uninitializedShape: [Swift.max(blocks, 1)])
    let bs = blockSums.unsafePointer
    parallelChunks(blocks, minimumPerThread: 8) { range in
        for block in range {
            let start = block * 4096, end = Swift.min(n, start + 4096)
            var acc = SIMD8<Float>()
            var i = start
            while i + 8 <= end {
                let d =
                    UnsafeRawPointer(pp + i).loadUnaligned(as: SIMD8<Float>.self)
                    - UnsafeRawPointer(tp + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += total(d)
                i += 8
            }
            if i < end {
                // The tail, padded with zero differences (f(0) = 0 for these losses).
                var d = SIMD8<Float>()
                for j in 0..<(end - i) { d[j] = pp[i + j] - tp[i + j] }
                acc += total(d)
            }
            bs[block] = acc.sum()
        }
    }
    var sum = 0.0
    for block in 0..<blocks { sum += Double(bs[block]) }
    let loss = Tensor(scalar: Float(sum / Double(Swift.max(n, 1))))
    let needP = prediction.requiresGrad, needT = target.requiresGrad
    return Variable.result(loss, operation: operation, inputs: [prediction, target]) { g in
        let k = g.scalarValue / Float(Swift.max(n, 1))
        let dp = Tensor(uninitializedShape: p.shape)
        let dpp = dp.unsafePointer, pp = p.unsafePointer, tp = t.unsafePointer
        parallelChunks(n) { range in for i in range { dpp[i] = k * derivative(pp[i] - tp[i]) } }
        return [needP ? dp : nil, needT ? dp.scaled(-1) : nil]
    }
}
