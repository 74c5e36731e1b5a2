/// 2-D convolution (cross-correlation, as in PyTorch) of an NCHW input with a weight
/// [Cout, Cin, kh, kw], optional bias [Cout], square stride and zero padding. The output is
/// [N, Cout, floor((H + 2p − kh)/s) + 1, floor((W + 2p − kw)/s) + 1].
///
/// With `residual` (of the output's shape) the result is conv(x) + bias + residual, the sum of
/// a residual connection formed while each image's output is still in cache instead of by a
/// separate pass over both tensors; its gradient is the output gradient itself.
public func conv2d(
    _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0,
    residual: Variable? = nil
) -> Variable {
    let (n, cin, h, w) = nchwDimensions(x, "conv2d")
    requireShape(
        weight.shape.count == 4,
        "conv2d: weight must be [Cout, Cin, kh, kw], got \(weight.shape)")
    requireShape(
        weight.shape[1] == cin,
        "conv2d: weight \(weight.shape) expects \(weight.shape[1]) input channels, input \(x.shape) has \(cin)")
    let cout = weight.shape[0]
    if let bias {
        requireShape(bias.shape == [cout], "conv2d: bias \(bias.shape), expected [\(cout)]")
    }
    let g = ConvolutionGeometry(
        batch: n, inChannels: cin, height: h, width: w, outChannels: cout,
        kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
        stride: stride, padding: padding)
    let outShape = [n, cout, g.outHeight, g.outWidth]
    if let residual {
        requireShape(
            residual.shape == outShape, "conv2d: residual \(residual.shape), expected the output's \(outShape)")
    }
    let xv = x.value, wv = weight.value, bv = bias?.value
    let out = Tensor(uninitializedShape: outShape)
    ConvolutionKernel.forward(
        g, x: xv.unsafePointer, weight: wv.unsafePointer, bias: bv?.unsafePointer,
        residual: residual?.value.unsafePointer, y: out.unsafePointer)

    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    if let residual { inputs.append(residual) }
    return Variable.result(out, operation: residual == nil ? "conv2d" : "conv2d+residual", inputs: inputs) { gy in
        let dx = needX ? Tensor(uninitializedShape: xv.shape) : nil
        let dw = needW ? Tensor(uninitializedShape: wv.shape) : nil
        let db = needB ? Tensor(uninitializedShape: [cout]) : nil
        ConvolutionKernel.backward(
            g, x: xv.unsafePointer, weight: wv.unsafePointer, gy: gy.unsafePointer,
            dx: dx?.unsafePointer, dw: dw?.unsafePointer, db: db?.unsafePointer)
        var grads: [Tensor?] = [dx, dw]
        if bv != nil { grads.append(db) }
        if residual != nil { grads.append(gy) }
        return grads
    }
}
