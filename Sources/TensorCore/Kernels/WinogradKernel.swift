/// 3×3 stride-1 convolution by Winograd's minimal filtering, F(2×2, 3×3) or F(4×4, 3×3).
///
/// For F(2×2, 3×3), each 2×2 block ("tile") of output needs a 4×4 input patch d; with the fixed matrices
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
///     Aᵀ = [1 1 1 0; 0 1 −1 −1],
/// the output tile is Aᵀ [Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)] A. The channel sum of each of the 16
/// positions ξ of the 4×4 transformed tile is a matrix product over channels, so a convolution
/// becomes 16 GEMMs [Cout, Cin]·[Cin, tiles]: 16 multiplies per tile and channel pair instead of
/// 36 (2.25× fewer FLOPs than im2col), and the transformed input is 4 floats per pixel instead
/// of im2col's 9.
///
/// The same routine computes the input gradient: dx is the convolution of dy with the weight
/// flipped in space and transposed in channels, with padding 2 − p. The weight gradient is the
/// adjoint of the forward computation (`weightGradient`). F(4×4, 3×3), with 6×6 patches and 36
/// GEMMs, shares the GEMMs here and the blocking (WinogradBlocking.swift); the transforms of
/// each are in WinogradF2Transforms.swift and WinogradF4Transforms.swift.
/// Both are exact in exact arithmetic; in Float32, F(2×2) agrees with direct convolution to
/// about 1e-6 and F(4×4) to about 1e-5 of the output's largest magnitude.
enum WinogradKernel {
    /// One convolution problem: input [batch, inChannels, height, width], 3×3 kernel, stride 1,
    /// zero padding `padding` (0…2); output [batch, outChannels, height + 2p − 2, width + 2p − 2].
    struct Problem {
        let batch, inChannels, outChannels, height, width, padding: Int
        /// Output tile side: 2 for F(2×2, 3×3), 4 for F(4×4, 3×3) (see WinogradF4Transforms.swift).
        var tile = 2
        var outHeight: Int { height + 2 * padding - 2 }
        var outWidth: Int { width + 2 * padding - 2 }
        var tileRows: Int { (outHeight + tile - 1) / tile }
        var tileColumns: Int { (outWidth + tile - 1) / tile }
        /// Positions ξ of a transformed tile: (tile + 2)².
        var positions: Int { (tile + 2) * (tile + 2) }
        /// Floats of row scratch the transforms need.
        var rowScratch: Int { 16 * (tile * tileColumns + 16) }
    }

    /// Whether Winograd applies to a convolution, and pays off. With very few input channels
    /// (an RGB input layer) its forward GEMMs have an inner dimension of 3 and im2col's 27 is
    /// faster; few output channels (an output layer) are fine, as its fewer FLOPs still win.
    static func applies(to g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding <= 2
            && g.inChannels >= ConvolutionTuning.winogradMinimumChannels
            && ConvolutionTuning.winogradMinimumChannels > 0
    }

    /// The output tile side for a convolution (see `ConvolutionTuning.winogradTile`).
    static func tile(for g: ConvolutionGeometry) -> Int {
        switch ConvolutionTuning.winogradTile {
        case 2: return 2
        case 4: return 4
        default:
            let large = g.outHeight >= 8 && g.outWidth >= 8
            return large && g.inChannels * g.outChannels <= 2 * 128 * 128 ? 4 : 2
        }
    }

    /// The transformed weights U for `tile` (F(2×2) or F(4×4)); see the transform files.
    static func transformWeights(
        _ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
        forGradient: Bool, tile: Int, into u: UnsafeMutablePointer<Float>
    ) {
        if tile == 4 {
            transformWeightsF4(w, outChannels: outChannels, inChannels: inChannels, forGradient: forGradient, into: u)
        } else {
            transformWeightsF2(w, outChannels: outChannels, inChannels: inChannels, forGradient: forGradient, into: u)
        }
    }

    /// Floats of the transformed weights of `p` packed for `PackedGEMM` (`transformAndPackWeights`).
    static func packedWeightCount(_ p: Problem) -> Int {
        p.positions * PackedGEMM.packedCount(m: p.outChannels, k: p.inChannels)
    }

    /// U as `convolve` takes it: each position's [rows, cols] matrix of `transformWeights`
    /// (rows = Cout, or Cin `forGradient`) packed into `PackedGEMM` panels, one position after
    /// another. `plain` is scratch for the unpacked U ((tile + 2)² · Cout · Cin floats).
    static func transformAndPackWeights(
        _ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
        forGradient: Bool, tile: Int, plain: UnsafeMutablePointer<Float>,
        into packed: UnsafeMutablePointer<Float>
    ) {
        transformWeights(
            w, outChannels: outChannels, inChannels: inChannels, forGradient: forGradient, tile: tile,
            into: plain)
        let rows = forGradient ? inChannels : outChannels, cols = forGradient ? outChannels : inChannels
        let positions = (tile + 2) * (tile + 2), stride = PackedGEMM.packedCount(m: rows, k: cols)
        parallelChunks(positions, minimumPerThread: max(1, 8192 / max(1, rows * cols))) { range in
            for xi in range {
                PackedGEMM.pack(plain + xi * rows * cols, m: rows, k: cols, lda: cols, into: packed + xi * stride)
            }
        }
    }

    // MARK: Convolution

    /// Floats from one channel's row of tiles to the next in the transformed matrices. An odd
    /// count: with a power-of-two one (16 tiles of a 16×16 latent, 64 channels) the 36 positions
    /// of a tile land a multiple of 4 KiB apart, all in one L1 set, and the transforms stall.
    static func leadingDimension(tiles: Int) -> Int { tiles | 1 }

    /// y = conv(x, U) + bias (+ residual, of y's shape) for `problem`; U from
    /// `transformAndPackWeights` (packed [Cout, Cin] per position). The residual is added block
    /// by block, right after the output transform has written those rows.
    static func convolve(
        _ p: Problem, x: UnsafePointer<Float>, u: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
        y: UnsafeMutablePointer<Float>
    ) {
        let plan = Blocking(p)
        let packedStride = PackedGEMM.packedCount(m: p.outChannels, k: p.inChannels)
        let inImage = p.inChannels * p.height * p.width, outImage = p.outChannels * p.outHeight * p.outWidth
        ScratchPool.winograd.withSlots(plan.workers) { slots in
            let body = { (worker: Int) in
                let scratch = slots[worker]
                for block in plan.blocks(ofWorker: worker) {
                    let tiles = block.images.count * block.tileRows.count * p.tileColumns
                    let ld = leadingDimension(tiles: tiles)
                    let v = scratch[0].floats(p.positions * p.inChannels * ld)
                    let m = scratch[1].floats(p.positions * p.outChannels * ld)
                    let rows = scratch[2].floats(p.rowScratch)
                    for (index, n) in block.images.enumerated() {
                        let offset = index * block.tileRows.count * p.tileColumns
                        if p.tile == 4 {
                            inputTransformF4(
                                p, image: x + n * inImage, tileRows: block.tileRows, v: v, ld: ld,
                                offset: offset, rows: rows)
                        } else {
                            inputTransform(
                                p, image: x + n * inImage, tileRows: block.tileRows, v: v, ld: ld,
                                offset: offset, rows: rows)
                        }
                    }
                    for xi in 0..<p.positions {
                        PackedGEMM.multiply(
                            m: p.outChannels, n: tiles, k: p.inChannels, packedA: u + xi * packedStride,
                            b: v + xi * p.inChannels * ld, ldb: ld,
                            c: m + xi * p.outChannels * ld, ldc: ld)
                    }
                    for (index, n) in block.images.enumerated() {
                        let offset = index * block.tileRows.count * p.tileColumns
                        if p.tile == 4 {
                            outputTransformF4(
                                p, m: m, ld: ld, offset: offset, tileRows: block.tileRows,
                                bias: bias, image: y + n * outImage, rows: rows)
                        } else {
                            outputTransform(
                                p, m: m, ld: ld, offset: offset, tileRows: block.tileRows,
                                bias: bias, image: y + n * outImage, rows: rows)
                        }
                        if let residual {
                            // The rows this block wrote, in every output channel.
                            let first = p.tile * block.tileRows.lowerBound
                            let last = min(p.outHeight, p.tile * block.tileRows.upperBound)
                            let plane = p.outHeight * p.outWidth, count = (last - first) * p.outWidth
                            for o in 0..<p.outChannels {
                                let offset = n * outImage + o * plane + first * p.outWidth
                                VectorArithmetic.add(residual + offset, into: y + offset, count: count)
                            }
                        }
                    }
                }
            }
            if plan.workers == 1 {
                body(0)
            } else {
                BLASThreadScope.singleThreaded { parallelFor(plan.workers) { body($0) } }
            }
        }
    }

    /// dW [Cout, Cin, 3, 3] of the forward `problem` given its input x and output gradient gy:
    /// the adjoint of the Winograd forward pass. With Q = A dY Aᵀ per output tile,
    /// dU_ξ [Cout, Cin] = Σ_tiles Q_ξ [Cout, tiles] · V_ξ [Cin, tiles]ᵀ (16 GEMMs whose inner
    /// dimension is the number of tiles), and dW = Gᵀ dU G. Exact, like the forward pass.
    static func weightGradient(
        _ p: Problem, x: UnsafePointer<Float>, gy: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>
    ) {
        let plan = Blocking(p)
        let inImage = p.inChannels * p.height * p.width, outImage = p.outChannels * p.outHeight * p.outWidth
        let uSize = p.outChannels * p.inChannels, positions = p.positions
        ScratchPool.winograd.withSlots(plan.workers) { slots in
            let accumulators = (0..<plan.workers).map { worker in
                let a = slots[worker][3].floats(positions * uSize)
                a.update(repeating: 0, count: positions * uSize)
                return a
            }
            let body = { (worker: Int) in
                let scratch = slots[worker], du = accumulators[worker]
                for block in plan.blocks(ofWorker: worker) {
                    let tiles = block.images.count * block.tileRows.count * p.tileColumns
                    let ld = leadingDimension(tiles: tiles)
                    let v = scratch[0].floats(positions * p.inChannels * ld)
                    let q = scratch[1].floats(positions * p.outChannels * ld)
                    let rows = scratch[2].floats(p.rowScratch)
                    for (index, n) in block.images.enumerated() {
                        let offset = index * block.tileRows.count * p.tileColumns
                        if p.tile == 4 {
                            inputTransformF4(
                                p, image: x + n * inImage, tileRows: block.tileRows, v: v, ld: ld,
                                offset: offset, rows: rows)
                            gradientTransformF4(
                                p, image: gy + n * outImage, tileRows: block.tileRows, q: q,
                                ld: ld, offset: offset, rows: rows)
                        } else {
                            inputTransform(
                                p, image: x + n * inImage, tileRows: block.tileRows, v: v, ld: ld,
                                offset: offset, rows: rows)
                            gradientTransform(
                                p, image: gy + n * outImage, tileRows: block.tileRows, q: q, ld: ld,
                                offset: offset, rows: rows)
                        }
                    }
                    for xi in 0..<positions {
                        gemm(
                            transposeB: true, m: p.outChannels, n: p.inChannels, k: tiles,
                            a: q + xi * p.outChannels * ld, lda: ld,
                            b: v + xi * p.inChannels * ld, ldb: ld,
                            beta: 1, c: du + xi * uSize, ldc: p.inChannels)
                    }
                }
            }
            if plan.workers == 1 {
                body(0)
            } else {
                BLASThreadScope.singleThreaded { parallelFor(plan.workers) { body($0) } }
            }
            let du = accumulators[0]
            for worker in 1..<max(1, plan.workers) {
                let other = accumulators[worker]
                for i in 0..<(positions * uSize) { du[i] += other[i] }
            }
            if p.tile == 4 {
                weightsFromTransformedF4(du, pairs: uSize, into: dw)
            } else {
                weightsFromTransformedF2(du, pairs: uSize, into: dw)
            }
        }
    }
}
