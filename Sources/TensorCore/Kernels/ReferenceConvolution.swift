/// The definition of a 2-D convolution and its gradients, as direct loops in double precision:
/// what the fast paths (Winograd F(2×2) and F(4×4), im2col with OpenBLAS, the packed GEMM of
/// sampling) must equal, up to float rounding. Kept beside them, as llm.c keeps
/// `matmul_forward_naive` beside its fast matmul, so that the meaning of `conv2d` is readable in
/// one place; the tests compare every kernel path against it. Far too slow for training.
///
/// Input `[N, Cin, H, W]`, weights `[Cout, Cin, kh, kw]`, bias `[Cout]`, cross-correlation (no
/// kernel flip) with a stride and zero padding on each side, output `[N, Cout, Ho, Wo]` with
/// `Ho = (H + 2·padding − kh) / stride + 1`. Given the output's gradient `gy`, also gives the
/// gradients of input, weights and bias.
public struct ReferenceConvolution {
    public let y: Tensor, dx: Tensor, dw: Tensor, db: Tensor

    public init(x: Tensor, w: Tensor, b: Tensor, gy: Tensor, stride s: Int, padding p: Int) {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = (h + 2 * p - kh) / s + 1, wo = (wd + 2 * p - kw) / s + 1
        var y = [Double](repeating: 0, count: n * cout * ho * wo)
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: cout)
        let xs = x.values, ws = w.values, gs = gy.values, bs = b.values
        for i in 0..<n {
            for o in 0..<cout {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let yi = ((i * cout + o) * ho + oy) * wo + ox
                        var sum = Double(bs[o])
                        db[o] += Double(gs[yi])
                        for c in 0..<cin {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let iy = oy * s - p + u, ix = ox * s - p + v
                                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }  // zero padding
                                    let xi = ((i * cin + c) * h + iy) * wd + ix, wi = ((o * cin + c) * kh + u) * kw + v
                                    sum += Double(xs[xi]) * Double(ws[wi])
                                    dx[xi] += Double(gs[yi]) * Double(ws[wi])
                                    dw[wi] += Double(gs[yi]) * Double(xs[xi])
                                }
                            }
                        }
                        y[yi] = sum
                    }
                }
            }
        }
        self.y = Tensor(shape: [n, cout, ho, wo], values: y.map { Float($0) })
        self.dx = Tensor(shape: x.shape, values: dx.map { Float($0) })
        self.dw = Tensor(shape: w.shape, values: dw.map { Float($0) })
        self.db = Tensor(shape: [cout], values: db.map { Float($0) })
    }
}
