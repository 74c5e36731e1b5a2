/// Depth-to-space and space-to-depth rearrangements with PyTorch's channel order:
/// channel c·r² + i·r + j of the deep tensor is the sub-pixel (i, j) of channel c of the wide one.
/// Each is the other's adjoint (and inverse), so each one's gradient is the other.

/// `nn.PixelShuffle(r)`: [N, C·r², H, W] → [N, C, H·r, W·r].
public func pixelShuffle(_ x: Variable, factor r: Int) -> Variable {
    let (n, cDeep, h, w) = nchwDimensions(x, "pixelShuffle")
    requireShape(r >= 1, "pixelShuffle: factor must be at least 1, got \(r)")
    requireShape(
        cDeep % (r * r) == 0,
        "pixelShuffle: \(cDeep) channels of \(x.shape) are not divisible by factor² = \(r * r)")
    let c = cDeep / (r * r)
    let out = Tensor(uninitializedShape: [n, c, h * r, w * r])
    PixelShuffleKernel.depthToSpace(x.value.unsafePointer, out.unsafePointer, planes: n * c, h: h, w: w, r: r)
    return Variable.result(out, operation: "pixelShuffle", inputs: [x]) { g in
        let dx = Tensor(uninitializedShape: [n, cDeep, h, w])
        PixelShuffleKernel.spaceToDepth(g.unsafePointer, dx.unsafePointer, planes: n * c, h: h, w: w, r: r)
        return [dx]
    }
}

/// `nn.PixelUnshuffle(r)`: [N, C, H·r, W·r] → [N, C·r², H, W].
public func pixelUnshuffle(_ x: Variable, factor r: Int) -> Variable {
    let (n, c, hWide, wWide) = nchwDimensions(x, "pixelUnshuffle")
    requireShape(r >= 1, "pixelUnshuffle: factor must be at least 1, got \(r)")
    requireShape(
        hWide % r == 0 && wWide % r == 0,
        "pixelUnshuffle: height and width of \(x.shape) are not divisible by factor \(r)")
    let h = hWide / r, w = wWide / r
    let out = Tensor(uninitializedShape: [n, c * r * r, h, w])
    PixelShuffleKernel.spaceToDepth(x.value.unsafePointer, out.unsafePointer, planes: n * c, h: h, w: w, r: r)
    return Variable.result(out, operation: "pixelUnshuffle", inputs: [x]) { g in
        let dx = Tensor(uninitializedShape: [n, c, hWide, wWide])
        PixelShuffleKernel.depthToSpace(g.unsafePointer, dx.unsafePointer, planes: n * c, h: h, w: w, r: r)
        return [dx]
    }
}

/// The two rearrangements on raw buffers. A "plane" is one wide channel [H·r, W·r], which is also
/// r² consecutive deep channels [H, W], so planes are independent and split over the cores.
enum PixelShuffleKernel {
    static func depthToSpace(
        _ deep: UnsafePointer<Float>, _ wide: UnsafeMutablePointer<Float>,
        planes: Int, h: Int, w: Int, r: Int
    ) {
        let size = h * w * r * r
        parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(size)) { range in
            for p in range {
                let s = deep + p * size, d = wide + p * size
                for i in 0..<r {
                    for y in 0..<h {
                        let row = d + (y * r + i) * w * r
                        for j in 0..<r {
                            let src = s + ((i * r + j) * h + y) * w
                            for x in 0..<w { row[x &* r &+ j] = src[x] }
                        }
                    }
                }
            }
        }
    }

    static func spaceToDepth(
        _ wide: UnsafePointer<Float>, _ deep: UnsafeMutablePointer<Float>,
        planes: Int, h: Int, w: Int, r: Int
    ) {
        let size = h * w * r * r
        parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(size)) { range in
            for p in range {
                let s = wide + p * size, d = deep + p * size
                for i in 0..<r {
                    for y in 0..<h {
                        let row = s + (y * r + i) * w * r
                        for j in 0..<r {
                            let dst = d + ((i * r + j) * h + y) * w
                            for x in 0..<w { dst[x] = row[x &* r &+ j] }
                        }
                    }
                }
            }
        }
    }
}
