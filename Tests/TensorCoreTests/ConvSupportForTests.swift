import TensorCore
import XCTest

/// Settings of `ConvolutionTuning` that drive conv2d through each of its code paths.
struct ConvTuningSetting {
    let name: String
    let threading: ConvolutionTuning.Threading
    let minimumColumns: Int
    let columnBudgetBytes: Int

    static let all: [ConvTuningSetting] = [
        ConvTuningSetting(name: "default", threading: ConvolutionTuning.threading,
                          minimumColumns: ConvolutionTuning.minimumColumns,
                          columnBudgetBytes: ConvolutionTuning.columnBudgetBytes),
        // Every image its own block, cut into single output rows.
        ConvTuningSetting(name: "row tiles, parallel", threading: .imagesInParallel, minimumColumns: 1,
                          columnBudgetBytes: 4),
        ConvTuningSetting(name: "row tiles, BLAS threads", threading: .blasThreads, minimumColumns: 1,
                          columnBudgetBytes: 4),
        // Images side by side in one GEMM.
        ConvTuningSetting(name: "grouped, parallel", threading: .imagesInParallel, minimumColumns: 1 << 20,
                          columnBudgetBytes: 1 << 30),
        ConvTuningSetting(name: "grouped, BLAS threads", threading: .blasThreads, minimumColumns: 1 << 20,
                          columnBudgetBytes: 1 << 30),
    ]

    func apply(_ body: () throws -> Void) rethrows {
        let saved = (ConvolutionTuning.threading, ConvolutionTuning.minimumColumns, ConvolutionTuning.columnBudgetBytes)
        ConvolutionTuning.threading = threading
        ConvolutionTuning.minimumColumns = minimumColumns
        ConvolutionTuning.columnBudgetBytes = columnBudgetBytes
        defer {
            (ConvolutionTuning.threading, ConvolutionTuning.minimumColumns, ConvolutionTuning.columnBudgetBytes) = saved
        }
        try body()
    }
}

/// Direct-loop convolution and its gradients, in Double, as an independent reference.
struct ReferenceConvolution {
    let y: Tensor, dx: Tensor, dw: Tensor, db: Tensor

    init(x: Tensor, w: Tensor, b: Tensor, gy: Tensor, stride s: Int, padding p: Int) {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = (h + 2 * p - kh) / s + 1, wo = (wd + 2 * p - kw) / s + 1
        var y = [Double](repeating: 0, count: n * cout * ho * wo)
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: cout)
        let xs = x.values, ws = w.values, gs = gy.values
        for i in 0..<n { for o in 0..<cout { for oy in 0..<ho { for ox in 0..<wo {
            let yi = ((i * cout + o) * ho + oy) * wo + ox
            var sum = Double(b[flat: o])
            db[o] += Double(gs[yi])
            for c in 0..<cin { for u in 0..<kh { for v in 0..<kw {
                let iy = oy * s - p + u, ix = ox * s - p + v
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                let xi = ((i * cin + c) * h + iy) * wd + ix, wi = ((o * cin + c) * kh + u) * kw + v
                sum += Double(xs[xi]) * Double(ws[wi])
                dx[xi] += Double(gs[yi]) * Double(ws[wi])
                dw[wi] += Double(gs[yi]) * Double(xs[xi])
            } } }
            y[yi] = sum
        } } } }
        self.y = Tensor(shape: [n, cout, ho, wo], values: y.map { Float($0) })
        self.dx = Tensor(shape: x.shape, values: dx.map { Float($0) })
        self.dw = Tensor(shape: w.shape, values: dw.map { Float($0) })
        self.db = Tensor(shape: [cout], values: db.map { Float($0) })
    }
}
