/// Scales the gradients of `parameters` together so that their global L2 norm (the norm of all
/// gradient elements as one vector) is at most `maxNorm`, like `torch.nn.utils.clip_grad_norm_`:
/// the factor is `maxNorm / (norm + 1e-6)`, applied only when below 1. Parameters without a
/// gradient are ignored.
///
/// Returns the norm before clipping. A non-finite norm (an overflowed or NaN gradient) leaves
/// the gradients untouched, so the caller can see it and skip the step.
@discardableResult
public func clipGradientNorm(_ parameters: [Variable], maxNorm: Double) -> Double {
    let norm = globalGradientNorm(parameters)
    guard norm.isFinite else { return norm }
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        let scale = Float(factor)
        for variable in parameters where variable.grad != nil {
            variable.grad!.scaleInPlace(scale)
        }
    }
    return norm
}

/// The L2 norm of all gradients as one vector, accumulated in Double.
public func globalGradientNorm(_ parameters: [Variable]) -> Double {
    var total = 0.0
    for variable in parameters {
        guard let gradient = variable.grad else { continue }
        total += parallelSquaredSum(gradient)
    }
    return total.squareRoot()
}

/// Σx² over a tensor, split over the compute threads. The split depends only on the size and the
/// thread count, so the result is reproducible.
func parallelSquaredSum(_ tensor: Tensor) -> Double {
    let count = tensor.count
    let threads = max(1, min(ComputeThreads.count, count / 65_536))
    let chunk = (count + threads - 1) / threads
    var partials = [Double](repeating: 0, count: threads)
    tensor.withUnsafePointer { x in
        partials.withUnsafeMutableBufferPointer { out in
            let results = out.baseAddress!
            parallelFor(threads) { t in
                let start = t * chunk, end = min(count, start + chunk)
                results[t] = squaredSum(x, start, end)
            }
        }
    }
    return partials.reduce(0, +)
}

/// Σx² over x[start..<end]: blocks of 4096 in explicit SIMD Float lanes (a plain Float sum would
/// not vectorise, as reordering it changes the rounding), the blocks added in Double.
func squaredSum(_ x: UnsafePointer<Float>, _ start: Int, _ end: Int) -> Double {
    let raw = UnsafeRawPointer(x)
    var total = 0.0
    var i = start
    while i < end {
        let blockEnd = min(end, i + 4096)
        var lanes0 = SIMD8<Float>(), lanes1 = SIMD8<Float>()
        while i + 16 <= blockEnd {
            let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let b = raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            lanes0 += a * a
            lanes1 += b * b
            i += 16
        }
        var partial = (lanes0 + lanes1).sum()
        while i < blockEnd {
            partial += x[i] * x[i]
            i += 1
        }
        total += Double(partial)
    }
    return total
}
