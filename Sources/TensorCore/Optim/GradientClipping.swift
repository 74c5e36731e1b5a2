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

/// Σx² over a tensor, split over the compute threads; each thread sums blocks in Float and the
/// blocks in Double, so the loop vectorises and large sums stay exact. The split depends only on
/// the size and the thread count, so the result is reproducible.
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
                var total = 0.0
                var i = start
                while i < end {
                    let blockEnd = min(end, i + 4096)
                    var partial: Float = 0
                    for j in i..<blockEnd { partial += x[j] * x[j] }
                    total += Double(partial)
                    i = blockEnd
                }
                results[t] = total
            }
        }
    }
    return partials.reduce(0, +)
}
