/// Fully connected layer on [N, in] inputs with a PyTorch-layout weight [out, in]:
/// y = x · Wᵀ + b. Matrix products go to BLAS.
public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
    precondition(x.shape.count == 2, "linear: input must be [N, features], got \(x.shape)")
    let n = x.shape[0], inFeatures = x.shape[1]
    precondition(
        weight.shape.count == 2 && weight.shape[1] == inFeatures,
        "linear: weight \(weight.shape) does not take \(inFeatures) input features")
    let outFeatures = weight.shape[0]
    if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape), expected [\(outFeatures)]") }
    let xv = x.value, wv = weight.value
    let out = Tensor(uninitializedShape: [n, outFeatures])
    if let b = bias?.value {
        for row in 0..<n { (out.unsafePointer + row * outFeatures).update(from: b.unsafePointer, count: outFeatures) }
    }
    gemm(
        transposeB: true, m: n, n: outFeatures, k: inFeatures,
        a: xv.unsafePointer, b: wv.unsafePointer, beta: bias == nil ? 0 : 1, c: out.unsafePointer)
    let needX = x.requiresGrad
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Variable.result(out, operation: "linear", inputs: inputs) { g in
        var dx: Tensor?
        if needX {
            let t = Tensor(uninitializedShape: [n, inFeatures])
            gemm(m: n, n: inFeatures, k: outFeatures, a: g.unsafePointer, b: wv.unsafePointer, c: t.unsafePointer)
            dx = t
        }
        let dw = Tensor(uninitializedShape: [outFeatures, inFeatures])
        gemm(
            transposeA: true, m: outFeatures, n: inFeatures, k: n, a: g.unsafePointer, b: xv.unsafePointer,
            c: dw.unsafePointer)
        var result: [Tensor?] = [dx, dw]
        if bias != nil { result.append(g.summed(toShape: [outFeatures])) }
        return result
    }
}
