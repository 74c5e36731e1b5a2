/// Forward and backward 2-D convolution on raw NCHW buffers. 3×3 stride-1 convolutions go to
/// Winograd (`WinogradKernel`: fewer FLOPs, all three passes); every other shape to im2col + SGEMM:
///
/// Forward, per block:    Y[Cout, cols] = W[Cout, K] · col[K, cols] (+ bias)
/// Backward, per block:   dW += gY · colᵀ,   dcol = Wᵀ · gY  → folded back into dx,   db += Σ gY
/// The column matrix is rebuilt in the backward pass instead of being kept from the forward
/// pass: unrolling is cheap next to the GEMMs, and keeping it would multiply activation memory
/// by kh·kw. 1×1 stride-1 convolutions use the input itself as the column matrix.
enum ConvolutionKernel {
    // Scratch buffer roles within a worker's slot.
    private static let columnsBuffer = 0, blockBuffer = 1, accumulatorBuffer = 2

    /// y [N, Cout, Ho, Wo] = conv(x [N, Cin, H, W], w [Cout, K]) + bias (+ residual, of y's shape).
    static func forward(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
        y: UnsafeMutablePointer<Float>
    ) {
        if WinogradKernel.applies(to: g) {
            let problem = WinogradKernel.Problem(
                batch: g.batch, inChannels: g.inChannels, outChannels: g.outChannels,
                height: g.height, width: g.width, padding: g.padding,
                tile: WinogradKernel.tile(for: g))
            if inferenceCacheIsOpen,
                PackedWeightCache.shared.withPrepared(
                    weight, outChannels: g.outChannels, columns: g.inChannels, form: .winograd(tile: problem.tile),
                    { u in WinogradKernel.convolve(problem, x: x, u: u, bias: bias, residual: residual, y: y) }) != nil
            {
                return
            }
            ScratchPool.winogradWeights.withSlots(1) { slots in
                let u = slots[0][0].floats(WinogradKernel.packedWeightCount(problem))
                WinogradKernel.transformAndPackWeights(
                    weight, outChannels: g.outChannels, inChannels: g.inChannels,
                    forGradient: false, tile: problem.tile,
                    plain: slots[0][1].floats(problem.positions * g.outChannels * g.inChannels),
                    into: u)
                WinogradKernel.convolve(problem, x: x, u: u, bias: bias, residual: residual, y: y)
            }
        } else if inferenceCacheIsOpen,
            PackedWeightCache.shared.withPrepared(
                weight, outChannels: g.outChannels, columns: g.patchSize, form: .matrix,
                { packed in forwardByColumns(g, x: x, weight: .packed(packed), bias: bias, residual: residual, y: y) })
                != nil
        {
            return
        } else {
            forwardByColumns(g, x: x, weight: .plain(weight), bias: bias, residual: residual, y: y)
        }
    }

    /// Inference inside `reusingTransformedWeights`: weights come prepared from the cache.
    private static var inferenceCacheIsOpen: Bool { !GradientMode.isEnabled && PackedWeightCache.shared.isActive }

    /// The weight matrix [Cout, K] of the im2col product, as it is or packed for `PackedGEMM`.
    enum WeightMatrix {
        case plain(UnsafePointer<Float>)
        case packed(UnsafePointer<Float>)
    }

    /// Gradients of `forward`: any of dx [N, Cin, H, W], dw [Cout, K], db [Cout] (overwritten).
    static func backward(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?
    ) {
        if WinogradKernel.applies(to: g) {
            if let dx {
                // dx is the convolution of dy with the spatially flipped, channel-transposed weight.
                let problem = WinogradKernel.Problem(
                    batch: g.batch, inChannels: g.outChannels,
                    outChannels: g.inChannels, height: g.outHeight,
                    width: g.outWidth, padding: 2 - g.padding,
                    tile: WinogradKernel.tile(for: g))
                ScratchPool.winogradWeights.withSlots(1) { slots in
                    let u = slots[0][0].floats(WinogradKernel.packedWeightCount(problem))
                    WinogradKernel.transformAndPackWeights(
                        weight, outChannels: g.outChannels, inChannels: g.inChannels,
                        forGradient: true, tile: problem.tile,
                        plain: slots[0][1].floats(problem.positions * g.outChannels * g.inChannels),
                        into: u)
                    WinogradKernel.convolve(problem, x: gy, u: u, bias: nil, y: dx)
                }
            }
            if let dw, !ConvolutionTuning.winogradWeightGradient {
                backwardByColumns(g, x: x, weight: weight, gy: gy, dx: nil, dw: dw, db: db)
            } else if let dw {
                let problem = WinogradKernel.Problem(
                    batch: g.batch, inChannels: g.inChannels,
                    outChannels: g.outChannels, height: g.height, width: g.width,
                    padding: g.padding,
                    tile: WinogradKernel.tile(for: g))
                WinogradKernel.weightGradient(problem, x: x, gy: gy, dw: dw)
            }
            if let db, dw == nil || ConvolutionTuning.winogradWeightGradient {
                biasGradient(gy, batch: g.batch, channels: g.outChannels, pixels: g.outPixels, into: db)
            }
        } else {
            backwardByColumns(g, x: x, weight: weight, gy: gy, dx: dx, dw: dw, db: db)
        }
    }

    /// db[o] = Σ over images and pixels of gy[n, o, ·].
    static func biasGradient(
        _ gy: UnsafePointer<Float>, batch: Int, channels: Int, pixels: Int,
        into db: UnsafeMutablePointer<Float>
    ) {
        parallelChunks(channels, minimumPerThread: max(1, 65_536 / max(1, batch * pixels))) { range in
            for o in range {
                var total: Float = 0
                for n in 0..<batch {
                    let row = gy + (n * channels + o) * pixels
                    var s: Float = 0
                    for t in 0..<pixels { s += row[t] }
                    total += s
                }
                db[o] = total
            }
        }
    }

    /// `forward` as im2col + one GEMM per block.
    static func forwardByColumns(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: WeightMatrix,
        bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>
    ) {
        // The packed kernel runs fast on narrow products, so pointwise convolutions of small images
        // need not be copied side by side: each image is multiplied in place.
        var plan = ConvolutionPlan(g)
        if case .packed = weight, g.isPointwise { plan = ConvolutionPlan(g, minimumColumns: 1) }
        let k = g.patchSize, cout = g.outChannels, pixels = g.outPixels, wo = g.outWidth
        let outImage = cout * pixels
        ScratchPool.convolution.withSlots(plan.workers) { slots in
            plan.run { worker in
                let scratch = slots[worker]
                for group in plan.groups(ofWorker: worker) {
                    let images = plan.images(ofGroup: group)
                    for row0 in plan.rowTiles() {
                        let rows = row0..<min(g.outHeight, row0 + plan.rowsPerBlock)
                        let columns = images.count * rows.count * wo
                        let (b, ldb) = columnMatrix(
                            g, x: x, images: images, rows: rows,
                            scratch: scratch[columnsBuffer])
                        if images.count == 1 {
                            // Write straight into the output image, rows `rows`.
                            let c = y + images.lowerBound * outImage + row0 * wo
                            switch weight {
                            case .packed(let packed):
                                PackedGEMM.multiply(
                                    m: cout, n: columns, k: k, packedA: packed, b: b, ldb: ldb,
                                    c: c, ldc: pixels, rowBias: bias)
                            case .plain(let a):
                                if let bias {
                                    for o in 0..<cout {
                                        let row = c + o * pixels, v = bias[o]
                                        for t in 0..<columns { row[t] = v }
                                    }
                                }
                                gemm(
                                    m: cout, n: columns, k: k, a: a, lda: k, b: b, ldb: ldb,
                                    beta: bias == nil ? 0 : 1, c: c, ldc: pixels)
                            }
                            if let residual {
                                let r = residual + images.lowerBound * outImage + row0 * wo
                                for o in 0..<cout {
                                    VectorArithmetic.add(r + o * pixels, into: c + o * pixels, count: columns)
                                }
                            }
                        } else {
                            let block = scratch[blockBuffer].floats(cout * columns)
                            switch weight {
                            case .packed(let packed):
                                PackedGEMM.multiply(
                                    m: cout, n: columns, k: k, packedA: packed, b: b, ldb: ldb,
                                    c: block, ldc: columns)
                            case .plain(let a):
                                gemm(
                                    m: cout, n: columns, k: k, a: a, lda: k, b: b, ldb: ldb,
                                    beta: 0, c: block, ldc: columns)
                            }
                            // Scatter [Cout, image, pixel] to [image, Cout, pixel], adding the bias.
                            for (index, n) in images.enumerated() {
                                for o in 0..<cout {
                                    let src = block + o * columns + index * pixels
                                    let dst = y + n * outImage + o * pixels
                                    let v = bias?[o] ?? 0
                                    for t in 0..<pixels { dst[t] = src[t] + v }
                                    if let residual {
                                        VectorArithmetic.add(
                                            residual + n * outImage + o * pixels, into: dst, count: pixels)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `backward` as im2col + GEMMs per block, col2im for dx.
    static func backwardByColumns(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        gy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
        dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?
    ) {
        let plan = ConvolutionPlan(g)
        let k = g.patchSize, cout = g.outChannels, pixels = g.outPixels, wo = g.outWidth
        let inImage = g.inChannels * g.inPixels, outImage = cout * pixels
        let dwSize = cout * k
        // Each worker accumulates dW and db in its own buffer ([dW | db]); they are summed at the end.
        ScratchPool.convolution.withSlots(plan.workers) { slots in
            let accumulators = (0..<plan.workers).map { worker in
                let acc = slots[worker][accumulatorBuffer].floats(dwSize + cout)
                acc.update(repeating: 0, count: dwSize + cout)
                return acc
            }
            plan.run { worker in
                let scratch = slots[worker]
                let accW = accumulators[worker], accB = accW + dwSize
                for group in plan.groups(ofWorker: worker) {
                    let images = plan.images(ofGroup: group)
                    let directDX = g.isPointwise && images.count == 1
                    if let dx, !directDX {
                        (dx + images.lowerBound * inImage).update(repeating: 0, count: images.count * inImage)
                    }
                    for row0 in plan.rowTiles() {
                        let rows = row0..<min(g.outHeight, row0 + plan.rowsPerBlock)
                        let columns = images.count * rows.count * wo
                        // The output gradient of this block as a [Cout, columns] matrix.
                        let gyBlock: UnsafePointer<Float>, ldgy: Int
                        if images.count == 1 {
                            gyBlock = gy + images.lowerBound * outImage + row0 * wo
                            ldgy = pixels
                        } else {
                            let block = scratch[blockBuffer].floats(cout * columns)
                            for (index, n) in images.enumerated() {
                                for o in 0..<cout {
                                    (block + o * columns + index * pixels)
                                        .update(from: gy + n * outImage + o * pixels, count: pixels)
                                }
                            }
                            gyBlock = UnsafePointer(block)
                            ldgy = columns
                        }
                        if db != nil {
                            for o in 0..<cout {
                                let row = gyBlock + o * ldgy
                                var s: Float = 0
                                for t in 0..<columns { s += row[t] }
                                accB[o] += s
                            }
                        }
                        if dw != nil {
                            let (b, ldb) = columnMatrix(
                                g, x: x, images: images, rows: rows,
                                scratch: scratch[columnsBuffer])
                            gemm(
                                transposeB: true, m: cout, n: k, k: columns, a: gyBlock, lda: ldgy,
                                b: b, ldb: ldb, beta: 1, c: accW, ldc: k)
                        }
                        if let dx {
                            if directDX {
                                gemm(
                                    transposeA: true, m: k, n: columns, k: cout, a: weight, lda: k,
                                    b: gyBlock, ldb: ldgy, beta: 0,
                                    c: dx + images.lowerBound * inImage + row0 * wo, ldc: pixels)
                            } else {
                                let dcol = scratch[columnsBuffer].floats(k * columns)
                                gemm(
                                    transposeA: true, m: k, n: columns, k: cout, a: weight, lda: k,
                                    b: gyBlock, ldb: ldgy, beta: 0, c: dcol, ldc: columns)
                                for (index, n) in images.enumerated() {
                                    Im2Col.fold(
                                        g, columns: dcol, ld: columns, offset: index * rows.count * wo,
                                        rows: rows, into: dx + n * inImage)
                                }
                            }
                        }
                    }
                }
            }
            // Sum the workers' partial dW and db.
            if let dw {
                dw.update(from: accumulators[0], count: dwSize)
                for worker in 1..<max(1, plan.workers) {
                    let a = accumulators[worker]
                    for i in 0..<dwSize { dw[i] += a[i] }
                }
            }
            if let db {
                db.update(from: accumulators[0] + dwSize, count: cout)
                for worker in 1..<max(1, plan.workers) {
                    let a = accumulators[worker] + dwSize
                    for o in 0..<cout { db[o] += a[o] }
                }
            }
        }
    }

    /// The [K, columns] column matrix of a block and its leading dimension: the input itself for a
    /// single image of a pointwise convolution, otherwise the patches unrolled into `scratch`.
    private static func columnMatrix(
        _ g: ConvolutionGeometry, x: UnsafePointer<Float>, images: Range<Int>,
        rows: Range<Int>, scratch: ScratchBuffer
    ) -> (UnsafePointer<Float>, Int) {
        let inImage = g.inChannels * g.inPixels
        if g.isPointwise && images.count == 1 {
            return (x + images.lowerBound * inImage + rows.lowerBound * g.outWidth, g.outPixels)
        }
        let columns = images.count * rows.count * g.outWidth
        let buffer = scratch.floats(g.patchSize * columns)
        for (index, n) in images.enumerated() {
            Im2Col.unroll(
                g, image: x + n * inImage, rows: rows, into: buffer, ld: columns,
                offset: index * rows.count * g.outWidth)
        }
        return (UnsafePointer(buffer), columns)
    }
}
