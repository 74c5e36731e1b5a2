/// 2-D convolution (cross-correlation, as in PyTorch) of an NCHW input with a weight
/// [Cout, Cin, kh, kw], optional bias [Cout], square stride and zero padding. The output is
/// [N, Cout, floor((H + 2p − kh)/s) + 1, floor((W + 2p − kw)/s) + 1].
public func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
    let (n, cin, h, w) = nchwDimensions(x, "conv2d")
    requireShape(weight.shape.count == 4,
                 "conv2d: weight must be [Cout, Cin, kh, kw], got \(weight.shape)")
    requireShape(weight.shape[1] == cin,
                 "conv2d: weight \(weight.shape) expects \(weight.shape[1]) input channels, input \(x.shape) has \(cin)")
    let cout = weight.shape[0]
    if let bias {
        requireShape(bias.shape == [cout], "conv2d: bias \(bias.shape), expected [\(cout)]")
    }
    let g = ConvolutionGeometry(batch: n, inChannels: cin, height: h, width: w, outChannels: cout,
                                kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                stride: stride, padding: padding)
    let xv = x.value, wv = weight.value, bv = bias?.value
    let out = Tensor(uninitializedShape: [n, cout, g.outHeight, g.outWidth])
    ConvolutionKernel.forward(g, x: xv.unsafePointer, weight: wv.unsafePointer, bias: bv?.unsafePointer,
                              y: out.unsafePointer)

    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Variable.result(out, operation: "conv2d", inputs: inputs) { gy in
        let dx = needX ? Tensor(uninitializedShape: xv.shape) : nil
        let dw = needW ? Tensor(uninitializedShape: wv.shape) : nil
        let db = needB ? Tensor(uninitializedShape: [cout]) : nil
        ConvolutionKernel.backward(g, x: xv.unsafePointer, weight: wv.unsafePointer, gy: gy.unsafePointer,
                                   dx: dx?.unsafePointer, dw: dw?.unsafePointer, db: db?.unsafePointer)
        var grads: [Tensor?] = [dx, dw]
        if bv != nil { grads.append(db) }
        return grads
    }
}
