/// Resolution changes by a factor of two, as the UNets and the autoencoder use them.
/// Planes (one image channel each) are independent, so they are split over the cores.

/// Nearest-neighbour upsampling ×2 (`nn.Upsample(scale_factor=2, mode="nearest")`):
/// [N, C, H, W] → [N, C, 2H, 2W]. The gradient of an input pixel is the sum over its 2×2 copies.
public func upsampleNearest2x(_ x: Variable) -> Variable {
    let (n, c, h, w) = nchwDimensions(x, "upsampleNearest2x")
    let planes = n * c, inPlane = h * w, outPlane = 4 * inPlane
    let out = Tensor(uninitializedShape: [n, c, 2 * h, 2 * w])
    let src = x.value.unsafePointer, dst = out.unsafePointer
    parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(outPlane)) { range in
        for p in range {
            let s = src + p * inPlane, d = dst + p * outPlane
            for iy in 0..<h {
                let row = s + iy * w, top = d + 2 * iy * 2 * w, bottom = top + 2 * w
                for ix in 0..<w {
                    let v = row[ix]
                    top[2 &* ix] = v
                    top[2 &* ix &+ 1] = v
                }
                bottom.update(from: top, count: 2 * w)
            }
        }
    }
    return Variable.result(out, operation: "upsampleNearest2x", inputs: [x]) { g in
        let dx = Tensor(uninitializedShape: [n, c, h, w])
        let gs = g.unsafePointer, gd = dx.unsafePointer
        parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(outPlane)) { range in
            for p in range {
                let s = gs + p * outPlane, d = gd + p * inPlane
                for iy in 0..<h {
                    let top = s + 2 * iy * 2 * w, bottom = top + 2 * w, row = d + iy * w
                    for ix in 0..<w {
                        row[ix] = (top[2 &* ix] + top[2 &* ix &+ 1]) + (bottom[2 &* ix] + bottom[2 &* ix &+ 1])
                    }
                }
            }
        }
        return [dx]
    }
}

/// 2×2 average pooling with stride 2 (`F.avg_pool2d(x, 2)`): [N, C, H, W] → [N, C, ⌊H/2⌋, ⌊W/2⌋].
/// As in PyTorch, a last odd row or column is dropped (and gets zero gradient).
public func averagePool2x(_ x: Variable) -> Variable {
    let (n, c, h, w) = nchwDimensions(x, "averagePool2x")
    requireShape(h >= 2 && w >= 2, "averagePool2x: input \(x.shape) is smaller than the 2×2 window")
    let ho = h / 2, wo = w / 2
    let planes = n * c, inPlane = h * w, outPlane = ho * wo
    let out = Tensor(uninitializedShape: [n, c, ho, wo])
    let src = x.value.unsafePointer, dst = out.unsafePointer
    parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(inPlane)) { range in
        for p in range {
            let s = src + p * inPlane, d = dst + p * outPlane
            for oy in 0..<ho {
                let top = s + 2 * oy * w, bottom = top + w, row = d + oy * wo
                for ox in 0..<wo {
                    row[ox] = 0.25 * ((top[2 &* ox] + top[2 &* ox &+ 1]) + (bottom[2 &* ox] + bottom[2 &* ox &+ 1]))
                }
            }
        }
    }
    return Variable.result(out, operation: "averagePool2x", inputs: [x]) { g in
        let dx = Tensor(uninitializedShape: [n, c, h, w])
        let gs = g.unsafePointer, gd = dx.unsafePointer
        parallelChunks(planes, minimumPerThread: minimumPlanesPerThread(inPlane)) { range in
            for p in range {
                let s = gs + p * outPlane, d = gd + p * inPlane
                if h != 2 * ho || w != 2 * wo { d.update(repeating: 0, count: inPlane) }
                for oy in 0..<ho {
                    let row = s + oy * wo, top = d + 2 * oy * w, bottom = top + w
                    for ox in 0..<wo {
                        let v = 0.25 * row[ox]
                        top[2 &* ox] = v
                        top[2 &* ox &+ 1] = v
                        bottom[2 &* ox] = v
                        bottom[2 &* ox &+ 1] = v
                    }
                }
            }
        }
        return [dx]
    }
}

/// Planes per thread below which splitting is not worth the hand-off (about 16K elements).
@inlinable
func minimumPlanesPerThread(_ planeSize: Int) -> Int { max(1, 16_384 / max(1, planeSize)) }
