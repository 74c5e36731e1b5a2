/// Concatenation and splitting along dimension 1 (channels), for UNet skip connections and
/// chunked projections. Tensors of any rank ≥ 2 work: [N, C, rest…], where `rest` must agree.

/// `torch.cat(parts, dim=1)`.
public func concatChannels(_ parts: [Variable]) -> Variable {
    requireShape(!parts.isEmpty, "concatChannels: no tensors to concatenate")
    let first = parts[0].shape
    requireShape(first.count >= 2, "concatChannels: tensors need a channel dimension, got shape \(first)")
    for part in parts {
        requireShape(
            part.shape.count == first.count && part.shape[0] == first[0]
                && Array(part.shape.dropFirst(2)) == Array(first.dropFirst(2)),
            "concatChannels: shapes \(parts.map(\.shape)) differ outside dimension 1")
    }
    let n = first[0], inner = first.dropFirst(2).reduce(1, *)
    let channels = parts.map { $0.shape[1] }
    let total = channels.reduce(0, +)
    var shape = first
    shape[1] = total
    let out = Tensor(uninitializedShape: shape)
    var offset = 0
    for (part, c) in zip(parts, channels) {
        ChannelSlice.copy(
            n: n, count: c * inner, from: part.value.unsafePointer, stride: c * inner,
            to: out.unsafePointer + offset * inner, stride: total * inner)
        offset += c
    }
    let needs = parts.map(\.requiresGrad)
    return Variable.result(out, operation: "concatChannels", inputs: parts) { g in
        var grads: [Tensor?] = []
        var offset = 0
        for (index, c) in channels.enumerated() {
            defer { offset += c }
            guard needs[index] else {
                grads.append(nil)
                continue
            }
            var partShape = shape
            partShape[1] = c
            let d = Tensor(uninitializedShape: partShape)
            ChannelSlice.copy(
                n: n, count: c * inner, from: g.unsafePointer + offset * inner, stride: total * inner,
                to: d.unsafePointer, stride: c * inner)
            grads.append(d)
        }
        return grads
    }
}

/// `torch.split(x, sizes, dim=1)`: consecutive channel groups of the given sizes.
public func splitChannels(_ x: Variable, sizes: [Int]) -> [Variable] {
    let shape = x.shape
    requireShape(shape.count >= 2, "splitChannels: tensor needs a channel dimension, got shape \(shape)")
    requireShape(
        sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[1],
        "splitChannels: sizes \(sizes) do not add up to the \(shape[1]) channels of \(shape)")
    let n = shape[0], total = shape[1], inner = shape.dropFirst(2).reduce(1, *)
    let xv = x.value
    var parts: [Variable] = []
    var offset = 0
    for c in sizes {
        var partShape = shape
        partShape[1] = c
        let part = Tensor(uninitializedShape: partShape)
        ChannelSlice.copy(
            n: n, count: c * inner, from: xv.unsafePointer + offset * inner, stride: total * inner,
            to: part.unsafePointer, stride: c * inner)
        let start = offset
        // Each part sends back a full-size gradient that is zero outside its channels; the
        // backward pass sums the parts' contributions.
        parts.append(
            Variable.result(part, operation: "splitChannels", inputs: [x]) { g in
                let dx = Tensor(zeros: shape)
                ChannelSlice.copy(
                    n: n, count: c * inner, from: g.unsafePointer, stride: c * inner,
                    to: dx.unsafePointer + start * inner, stride: total * inner)
                return [dx]
            })
        offset += c
    }
    return parts
}

/// Strided block copy: `n` runs of `count` floats.
enum ChannelSlice {
    static func copy(
        n: Int, count: Int, from src: UnsafePointer<Float>, stride srcStride: Int,
        to dst: UnsafeMutablePointer<Float>, stride dstStride: Int
    ) {
        if count == 0 { return }
        parallelChunks(n, minimumPerThread: max(1, 65_536 / count)) { range in
            for i in range { (dst + i * dstStride).update(from: src + i * srcStride, count: count) }
        }
    }
}
