import TensorCore

/// Differences of neighbouring pixels of NCHW images: along rows, `x[…, h, w+1] − x[…, h, w]`
/// ([N, C, H, W−1]); along columns, `x[…, h+1, w] − x[…, h, w]` ([N, C, H−1, W]). The image
/// gradients that an edge-aware (gradient-domain) loss compares.
public enum DifferenceAxis: Sendable {
    case horizontal, vertical
}

public func finiteDifferences(_ x: Variable, along axis: DifferenceAxis) -> Variable {
    let (n, c, h, w) = x.value.nchw("finiteDifferences")
    let (dh, dw) = axis == .horizontal ? (0, 1) : (1, 0)
    precondition(h > dh && w > dw, "finiteDifferences: image \(h)×\(w) too small")
    let oh = h - dh, ow = w - dw
    let planes = n * c
    let out = Tensor(uninitializedShape: [n, c, oh, ow])
    let o = out.unsafePointer
    x.value.withUnsafePointer { p in
        parallelChunks(planes, minimumPerThread: 8) { range in
            for plane in range {
                let src = p + plane * h * w, dst = o + plane * oh * ow
                for row in 0..<oh {
                    for col in 0..<ow { dst[row * ow + col] = src[(row + dh) * w + col + dw] - src[row * w + col] }
                }
            }
        }
    }
    return Variable.result(out, operation: "finiteDifferences", inputs: [x]) { g in
        // Each output subtracts one input and adds another: scatter both back.
        let grad = Tensor(zeros: [n, c, h, w])
        let gi = grad.unsafePointer
        g.withUnsafePointer { gp in
            parallelChunks(planes, minimumPerThread: 8) { range in
                for plane in range {
                    let src = gp + plane * oh * ow, dst = gi + plane * h * w
                    for row in 0..<oh {
                        for col in 0..<ow {
                            let v = src[row * ow + col]
                            dst[(row + dh) * w + col + dw] += v
                            dst[row * w + col] -= v
                        }
                    }
                }
            }
        }
        return [grad]
    }
}
