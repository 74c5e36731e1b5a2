/// The transforms of Winograd F(4×4, 3×3): 4×4 output tiles from 6×6 input patches, 36
/// products per tile and channel pair instead of 144 (4× fewer FLOPs than im2col, against
/// 2.25× for F(2×2, 3×3)), with the interpolation points 0, ±1, ±2 (Lavin & Gray, 2015):
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙; 1⁄24 −1⁄12 ⅙; 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
/// Every transform is separable: a combination of whole rows (vectorised by the compiler),
/// then of columns within each tile. The GEMMs and blocking are shared with F(2×2, 3×3).
extension WinogradKernel {
    // MARK: One-dimensional transforms (applied to rows, then to columns)

    /// Bᵀ·(d0 … d5).
    @inline(__always)
    static func inputCombination<T: SIMD>(_ d0: T, _ d1: T, _ d2: T, _ d3: T, _ d4: T, _ d5: T)
        -> (T, T, T, T, T, T) where T.Scalar == Float
    {
        let four: T.Scalar = 4, five: T.Scalar = 5, two: T.Scalar = 2
        return (
            four * d0 - five * d2 + d4,
            d3 + d4 - four * (d1 + d2),
            four * (d1 - d2) - d3 + d4,
            two * (d3 - d1) - d2 + d4,
            two * (d1 - d3) - d2 + d4,
            four * d1 - five * d3 + d5
        )
    }

    /// Aᵀ·(m0 … m5).
    @inline(__always)
    static func outputCombination<T: SIMD>(_ m0: T, _ m1: T, _ m2: T, _ m3: T, _ m4: T, _ m5: T)
        -> (T, T, T, T) where T.Scalar == Float
    {
        let two: T.Scalar = 2, four: T.Scalar = 4, eight: T.Scalar = 8
        let a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4
        return (m0 + a + c, b + two * d, a + four * c, b + eight * d + m5)
    }

    /// Stores the six combinations of `inputCombination` `stride` floats apart.
    @inline(__always)
    static func storeInputCombination<T: SIMD>(_ k: (T, T, T, T, T, T), _ o: UnsafeMutablePointer<Float>, stride: Int)
    where T.Scalar == Float {
        simdStore(k.0, o)
        simdStore(k.1, o + stride)
        simdStore(k.2, o + 2 * stride)
        simdStore(k.3, o + 3 * stride)
        simdStore(k.4, o + 4 * stride)
        simdStore(k.5, o + 5 * stride)
    }

    /// A·(y0 … y3) (the adjoint of `outputCombination`).
    @inline(__always)
    static func gradientCombination<T: SIMD>(_ y0: T, _ y1: T, _ y2: T, _ y3: T)
        -> (T, T, T, T, T, T) where T.Scalar == Float
    {
        let two: T.Scalar = 2, four: T.Scalar = 4, eight: T.Scalar = 8
        let even = y0 + y2, odd = y1 + y3, evenW = y0 + four * y2, oddW = two * y1 + eight * y3
        return (y0, even + odd, even - odd, evenW + oddW, evenW - oddW, y3)
    }

    // MARK: Weights

    /// U[ξ][o][i] = (G w[o][i] Gᵀ)[ξ] ([36, Cout, Cin]); with `forGradient`, of the flipped weight
    /// with channels swapped ([36, Cin, Cout]).
    static func transformWeightsF4(
        _ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
        forGradient: Bool, into u: UnsafeMutablePointer<Float>
    ) {
        let cols = forGradient ? outChannels : inChannels
        let plane = outChannels * inChannels
        /// G·(a, b, c) as six values.
        @inline(__always) func g6(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float, Float, Float) {
            (0.25 * a, -(a + b + c) / 6, -(a - b + c) / 6, a / 24 + b / 12 + c / 6, a / 24 - b / 12 + c / 6, c)
        }
        parallelChunks(outChannels, minimumPerThread: max(1, 2048 / max(1, inChannels))) { range in
            for o in range {
                for i in 0..<inChannels {
                    let k = w + (o * inChannels + i) * 9
                    @inline(__always) func g(_ r: Int, _ c: Int) -> Float {
                        forGradient ? k[8 - 3 * r - c] : k[3 * r + c]
                    }
                    // Gg (6×3), column by column.
                    let c0 = g6(g(0, 0), g(1, 0), g(2, 0)), c1 = g6(g(0, 1), g(1, 1), g(2, 1))
                    let c2 = g6(g(0, 2), g(1, 2), g(2, 2))
                    let dst = forGradient ? (i * cols + o) : (o * cols + i)
                    for r in 0..<6 {
                        let a = r == 0 ? c0.0 : r == 1 ? c0.1 : r == 2 ? c0.2 : r == 3 ? c0.3 : r == 4 ? c0.4 : c0.5
                        let b = r == 0 ? c1.0 : r == 1 ? c1.1 : r == 2 ? c1.2 : r == 3 ? c1.3 : r == 4 ? c1.4 : c1.5
                        let c = r == 0 ? c2.0 : r == 1 ? c2.1 : r == 2 ? c2.2 : r == 3 ? c2.3 : r == 4 ? c2.4 : c2.5
                        let t = g6(a, b, c)
                        let base = u + 6 * r * plane + dst
                        base[0] = t.0
                        base[plane] = t.1
                        base[2 * plane] = t.2
                        base[3 * plane] = t.3
                        base[4 * plane] = t.4
                        base[5 * plane] = t.5
                    }
                }
            }
        }
    }

    /// dW[pair] = Gᵀ dU[pair] G from the accumulated [36, pairs] transformed gradient.
    static func weightsFromTransformedF4(_ du: UnsafePointer<Float>, pairs: Int, into dw: UnsafeMutablePointer<Float>) {
        /// Gᵀ·(v0 … v5) as three values.
        @inline(__always) func gt(_ v: (Float, Float, Float, Float, Float, Float)) -> (Float, Float, Float) {
            (
                0.25 * v.0 - (v.1 + v.2) / 6 + (v.3 + v.4) / 24,
                (v.2 - v.1) / 6 + (v.3 - v.4) / 12,
                (v.3 + v.4 - v.1 - v.2) / 6 + v.5
            )
        }
        parallelChunks(pairs, minimumPerThread: 2048) { range in
            for pair in range {
                @inline(__always) func d(_ r: Int, _ c: Int) -> Float { du[(6 * r + c) * pairs + pair] }
                // Gᵀ applied down each column of dU, then along each resulting row.
                @inline(__always) func column(_ c: Int) -> (Float, Float, Float) {
                    gt((d(0, c), d(1, c), d(2, c), d(3, c), d(4, c), d(5, c)))
                }
                let k0 = column(0), k1 = column(1), k2 = column(2), k3 = column(3), k4 = column(4), k5 = column(5)
                let out = dw + pair * 9
                let r0 = gt((k0.0, k1.0, k2.0, k3.0, k4.0, k5.0))
                let r1 = gt((k0.1, k1.1, k2.1, k3.1, k4.1, k5.1))
                let r2 = gt((k0.2, k1.2, k2.2, k3.2, k4.2, k5.2))
                out[0] = r0.0
                out[1] = r0.1
                out[2] = r0.2
                out[3] = r1.0
                out[4] = r1.1
                out[5] = r1.2
                out[6] = r2.0
                out[7] = r2.1
                out[8] = r2.2
            }
        }
    }

    // MARK: Tiles

    /// V[ξ][c][offset + (ty − first)·tilesW + tx] = (Bᵀ d B)[ξ] for 6×6 patches at rows 4ty − p …
    static func inputTransformF4(
        _ p: Problem, image x: UnsafePointer<Float>, tileRows: Range<Int>,
        v: UnsafeMutablePointer<Float>, ld: Int, offset: Int,
        rows: UnsafeMutablePointer<Float>
    ) {
        let h = p.height, w = p.width, pad = p.padding, tw = p.tileColumns
        // Padded columns (index q is input column q − p), with slack for vector loads, a multiple of 8
        // so that the 8-wide row combinations never spill into the next row.
        let span = (4 * tw + 15) & ~7
        let positionStride = p.inChannels * ld
        let zero = rows, t = rows + span
        // Padded columns inside the image: q − p in 0..<w. The combined rows `t` are written only
        // there, so their padding columns are cleared once here rather than per channel and tile row.
        let qStart = min(span, pad), qEnd = min(span, w + pad)
        zero.update(repeating: 0, count: 7 * span)
        for c in 0..<p.inChannels {
            let plane = x + c * h * w
            for ty in tileRows {
                // The six input rows of this tile row, indexed by padded column (a zero row outside the image).
                @inline(__always) func rowPointer(_ r: Int) -> UnsafePointer<Float> {
                    let iy = 4 * ty - pad + r
                    return iy < 0 || iy >= h ? UnsafePointer(zero) : plane + iy * w - pad
                }
                let d0 = rowPointer(0), d1 = rowPointer(1), d2 = rowPointer(2)
                let d3 = rowPointer(3), d4 = rowPointer(4), d5 = rowPointer(5)
                // Vertical Bᵀ straight from the input rows (padding columns stay zero).
                var q = qStart
                while q + 8 <= qEnd {
                    let k = inputCombination(
                        simdLoad8(d0 + q), simdLoad8(d1 + q), simdLoad8(d2 + q),
                        simdLoad8(d3 + q), simdLoad8(d4 + q), simdLoad8(d5 + q))
                    simdStore(k.0, t + q)
                    simdStore(k.1, t + span + q)
                    simdStore(k.2, t + 2 * span + q)
                    simdStore(k.3, t + 3 * span + q)
                    simdStore(k.4, t + 4 * span + q)
                    simdStore(k.5, t + 5 * span + q)
                    q += 8
                }
                while q < qEnd {
                    let k = inputCombination(
                        SIMD2(d0[q], 0), SIMD2(d1[q], 0), SIMD2(d2[q], 0),
                        SIMD2(d3[q], 0), SIMD2(d4[q], 0), SIMD2(d5[q], 0))
                    t[q] = k.0[0]
                    t[span + q] = k.1[0]
                    t[2 * span + q] = k.2[0]
                    t[3 * span + q] = k.3[0]
                    t[4 * span + q] = k.4[0]
                    t[5 * span + q] = k.5[0]
                    q += 1
                }
                // Horizontal: columns 4tx … 4tx + 5 of each combined row, eight tiles at a time.
                let base = v + c * ld + offset + (ty - tileRows.lowerBound) * tw
                for r in 0..<6 {
                    let s = t + r * span
                    let o = base + 6 * r * positionStride
                    var tx = 0
                    while tx + 8 <= tw {
                        let lo = simdLoad32(s + 4 * tx)
                        let hi = simdLoad32(s + 4 * tx + 4)
                        let e = lo.evenHalf, odd = lo.oddHalf, he = hi.evenHalf, ho = hi.oddHalf
                        let k = inputCombination(
                            e.evenHalf, odd.evenHalf, e.oddHalf, odd.oddHalf,
                            he.evenHalf, ho.evenHalf)
                        simdStore(k.0, o + tx)
                        simdStore(k.1, o + positionStride + tx)
                        simdStore(k.2, o + 2 * positionStride + tx)
                        simdStore(k.3, o + 3 * positionStride + tx)
                        simdStore(k.4, o + 4 * positionStride + tx)
                        simdStore(k.5, o + 5 * positionStride + tx)
                        tx += 8
                    }
                    // Small images (16×16 is four tiles across, 8×8 two): the same deinterleave, narrower.
                    if tx + 4 <= tw {
                        let lo = simdLoad16(s + 4 * tx), hi = simdLoad16(s + 4 * tx + 4)
                        let e = lo.evenHalf, odd = lo.oddHalf, he = hi.evenHalf, ho = hi.oddHalf
                        storeInputCombination(
                            inputCombination(
                                e.evenHalf, odd.evenHalf, e.oddHalf, odd.oddHalf,
                                he.evenHalf, ho.evenHalf),
                            o + tx, stride: positionStride)
                        tx += 4
                    }
                    if tx + 2 <= tw {
                        let lo = simdLoad8(s + 4 * tx), hi = simdLoad8(s + 4 * tx + 4)
                        let e = lo.evenHalf, odd = lo.oddHalf, he = hi.evenHalf, ho = hi.oddHalf
                        storeInputCombination(
                            inputCombination(
                                e.evenHalf, odd.evenHalf, e.oddHalf, odd.oddHalf,
                                he.evenHalf, ho.evenHalf),
                            o + tx, stride: positionStride)
                        tx += 2
                    }
                    while tx < tw {
                        let a = s + 4 * tx
                        let k = inputCombination(
                            SIMD2(a[0], 0), SIMD2(a[1], 0), SIMD2(a[2], 0), SIMD2(a[3], 0),
                            SIMD2(a[4], 0), SIMD2(a[5], 0))
                        o[tx] = k.0[0]
                        o[positionStride + tx] = k.1[0]
                        o[2 * positionStride + tx] = k.2[0]
                        o[3 * positionStride + tx] = k.3[0]
                        o[4 * positionStride + tx] = k.4[0]
                        o[5 * positionStride + tx] = k.5[0]
                        tx += 1
                    }
                }
            }
        }
    }

    /// y[o, 4ty + a, 4tx + b] = (Aᵀ M A)[a][b] + bias[o] for the tiles of rows `tileRows`.
    static func outputTransformF4(
        _ p: Problem, m: UnsafePointer<Float>, ld: Int, offset: Int,
        tileRows: Range<Int>, bias: UnsafePointer<Float>?,
        image y: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
    ) {
        let ho = p.outHeight, wo = p.outWidth, tw = p.tileColumns
        let positionStride = p.outChannels * ld
        // Per tile row: 6 rows × 4 horizontal combinations (tw each), then 4 output rows.
        let h = rows, staging = rows + 24 * tw
        for o in 0..<p.outChannels {
            let bo = bias?[o] ?? 0
            let plane = y + o * ho * wo
            for ty in tileRows {
                // Whole tiles write straight into the output rows; edge tiles go through staging rows.
                let direct = wo == 4 * tw && 4 * ty + 4 <= ho
                let out = direct ? plane + 4 * ty * wo : staging
                let width = direct ? wo : 4 * tw + 8
                let base = m + o * ld + offset + (ty - tileRows.lowerBound) * tw
                // Horizontal: the six positions of each row r of M → four columns.
                for r in 0..<6 {
                    let m0 = base + 6 * r * positionStride
                    let dst = h + 4 * r * tw
                    var tx = 0
                    while tx + 8 <= tw {
                        let k = outputCombination(
                            simdLoad8(m0 + tx), simdLoad8(m0 + positionStride + tx),
                            simdLoad8(m0 + 2 * positionStride + tx),
                            simdLoad8(m0 + 3 * positionStride + tx),
                            simdLoad8(m0 + 4 * positionStride + tx),
                            simdLoad8(m0 + 5 * positionStride + tx))
                        simdStore(k.0, dst + tx)
                        simdStore(k.1, dst + tw + tx)
                        simdStore(k.2, dst + 2 * tw + tx)
                        simdStore(k.3, dst + 3 * tw + tx)
                        tx += 8
                    }
                    if tx + 4 <= tw {
                        horizontalOutputF4(
                            m0 + tx, stride: positionStride, dst + tx, rowLength: tw, lanes: SIMD4<Float>.self)
                        tx += 4
                    }
                    if tx + 2 <= tw {
                        horizontalOutputF4(
                            m0 + tx, stride: positionStride, dst + tx, rowLength: tw, lanes: SIMD2<Float>.self)
                        tx += 2
                    }
                    while tx < tw {
                        let k = outputCombination(
                            SIMD2(m0[tx], 0), SIMD2(m0[positionStride + tx], 0),
                            SIMD2(m0[2 * positionStride + tx], 0),
                            SIMD2(m0[3 * positionStride + tx], 0),
                            SIMD2(m0[4 * positionStride + tx], 0),
                            SIMD2(m0[5 * positionStride + tx], 0))
                        dst[tx] = k.0[0]
                        dst[tw + tx] = k.1[0]
                        dst[2 * tw + tx] = k.2[0]
                        dst[3 * tw + tx] = k.3[0]
                        tx += 1
                    }
                }
                // Vertical: for each output column j, combine the six rows; interleave the four columns.
                var tx = 0
                let biasVector = SIMD8<Float>(repeating: bo)
                while tx + 8 <= tw {
                    @inline(__always) func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
                    {
                        @inline(__always) func at(_ r: Int) -> SIMD8<Float> { simdLoad8(h + (4 * r + j) * tw + tx) }
                        return outputCombination(at(0), at(1), at(2), at(3), at(4), at(5))
                    }
                    // cj.a is output row a, column j of each of the eight tiles.
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
                    @inline(__always) func store(
                        _ a: Int, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>,
                        _ v3: SIMD8<Float>
                    ) {
                        let row = simdInterleave16(
                            simdInterleave(v0 + biasVector, v2 + biasVector),
                            simdInterleave(v1 + biasVector, v3 + biasVector))
                        simdStore(row, out + a * width + 4 * tx)
                    }
                    store(0, c0.0, c1.0, c2.0, c3.0)
                    store(1, c0.1, c1.1, c2.1, c3.1)
                    store(2, c0.2, c1.2, c2.2, c3.2)
                    store(3, c0.3, c1.3, c2.3, c3.3)
                    tx += 8
                }
                // Small images: the same combinations four or two tiles at a time.
                if tx + 4 <= tw {
                    verticalOutputF4(
                        h, tx: tx, tilesPerRow: tw, bias: bo, out, rowLength: width, lanes: SIMD4<Float>.self)
                    tx += 4
                }
                if tx + 2 <= tw {
                    verticalOutputF4(
                        h, tx: tx, tilesPerRow: tw, bias: bo, out, rowLength: width, lanes: SIMD2<Float>.self)
                    tx += 2
                }
                while tx < tw {
                    for j in 0..<4 {
                        @inline(__always) func at(_ r: Int) -> SIMD2<Float> { SIMD2(h[(4 * r + j) * tw + tx], 0) }
                        let k = outputCombination(at(0), at(1), at(2), at(3), at(4), at(5))
                        out[4 * tx + j] = k.0[0] + bo
                        out[width + 4 * tx + j] = k.1[0] + bo
                        out[2 * width + 4 * tx + j] = k.2[0] + bo
                        out[3 * width + 4 * tx + j] = k.3[0] + bo
                    }
                    tx += 1
                }
                if !direct {
                    for a in 0..<4 where 4 * ty + a < ho {
                        (plane + (4 * ty + a) * wo).update(from: staging + a * width, count: wo)
                    }
                }
            }
        }
    }

    /// The horizontal Aᵀ of one row of M for `T.scalarCount` tiles: positions `stride` apart in,
    /// four columns `rowLength` apart out.
    @inline(__always)
    static func horizontalOutputF4<T: SIMD>(
        _ m0: UnsafePointer<Float>, stride: Int, _ dst: UnsafeMutablePointer<Float>,
        rowLength: Int, lanes: T.Type
    ) where T.Scalar == Float {
        let k = outputCombination(
            simdLoad(m0, as: T.self), simdLoad(m0 + stride, as: T.self),
            simdLoad(m0 + 2 * stride, as: T.self), simdLoad(m0 + 3 * stride, as: T.self),
            simdLoad(m0 + 4 * stride, as: T.self), simdLoad(m0 + 5 * stride, as: T.self))
        simdStore(k.0, dst)
        simdStore(k.1, dst + rowLength)
        simdStore(k.2, dst + 2 * rowLength)
        simdStore(k.3, dst + 3 * rowLength)
    }

    /// The vertical Aᵀ for `T.scalarCount` tiles from tile `tx` of the horizontally combined rows
    /// `h` (24 rows of `tilesPerRow`), plus the bias, stored as four output rows `rowLength` apart
    /// with each tile's four columns side by side.
    @inline(__always)
    static func verticalOutputF4<T: InterleavedStore>(
        _ h: UnsafePointer<Float>, tx: Int, tilesPerRow tw: Int, bias: Float,
        _ out: UnsafeMutablePointer<Float>, rowLength: Int, lanes: T.Type
    ) {
        @inline(__always) func column(_ j: Int) -> (T, T, T, T) {
            @inline(__always) func at(_ r: Int) -> T { simdLoad(h + (4 * r + j) * tw + tx) }
            return outputCombination(at(0), at(1), at(2), at(3), at(4), at(5))
        }
        // cj.a is output row a, column j of each tile.
        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
        let b = T(repeating: bias), o = out + 4 * tx
        T.storeInterleaved(c0.0 + b, c1.0 + b, c2.0 + b, c3.0 + b, to: o)
        T.storeInterleaved(c0.1 + b, c1.1 + b, c2.1 + b, c3.1 + b, to: o + rowLength)
        T.storeInterleaved(c0.2 + b, c1.2 + b, c2.2 + b, c3.2 + b, to: o + 2 * rowLength)
        T.storeInterleaved(c0.3 + b, c1.3 + b, c2.3 + b, c3.3 + b, to: o + 3 * rowLength)
    }

    /// Q[ξ][o][offset + (ty − first)·tilesW + tx] = (A dY Aᵀ)[ξ] for 4×4 output-gradient tiles
    /// (zero past the output's edge).
    static func gradientTransformF4(
        _ p: Problem, image gy: UnsafePointer<Float>, tileRows: Range<Int>,
        q: UnsafeMutablePointer<Float>, ld: Int, offset: Int,
        rows: UnsafeMutablePointer<Float>
    ) {
        let ho = p.outHeight, wo = p.outWidth, tw = p.tileColumns
        let span = (4 * tw + 15) & ~7  // a multiple of 8 ≥ 4·tw + 8 (see inputTransformF4)
        let positionStride = p.outChannels * ld
        let yr = rows, vr = rows + 4 * span
        for o in 0..<p.outChannels {
            let plane = gy + o * ho * wo
            for ty in tileRows {
                for r in 0..<4 {
                    let row = yr + r * span, oy = 4 * ty + r
                    if oy < ho {
                        row.update(from: plane + oy * wo, count: wo)
                        for t in wo..<span { row[t] = 0 }
                    } else {
                        for t in 0..<span { row[t] = 0 }
                    }
                }
                var c = 0
                while c < span {
                    let k = gradientCombination(
                        simdLoad8(yr + c), simdLoad8(yr + span + c),
                        simdLoad8(yr + 2 * span + c), simdLoad8(yr + 3 * span + c))
                    simdStore(k.0, vr + c)
                    simdStore(k.1, vr + span + c)
                    simdStore(k.2, vr + 2 * span + c)
                    simdStore(k.3, vr + 3 * span + c)
                    simdStore(k.4, vr + 4 * span + c)
                    simdStore(k.5, vr + 5 * span + c)
                    c += 8
                }
                let base = q + o * ld + offset + (ty - tileRows.lowerBound) * tw
                for r in 0..<6 {
                    let s = vr + r * span
                    let out = base + 6 * r * positionStride
                    var tx = 0
                    while tx + 8 <= tw {
                        let all = simdLoad32(s + 4 * tx)
                        let e = all.evenHalf, odd = all.oddHalf
                        let k = gradientCombination(e.evenHalf, odd.evenHalf, e.oddHalf, odd.oddHalf)
                        simdStore(k.0, out + tx)
                        simdStore(k.1, out + positionStride + tx)
                        simdStore(k.2, out + 2 * positionStride + tx)
                        simdStore(k.3, out + 3 * positionStride + tx)
                        simdStore(k.4, out + 4 * positionStride + tx)
                        simdStore(k.5, out + 5 * positionStride + tx)
                        tx += 8
                    }
                    while tx < tw {
                        let a = s + 4 * tx
                        let k = gradientCombination(SIMD2(a[0], 0), SIMD2(a[1], 0), SIMD2(a[2], 0), SIMD2(a[3], 0))
                        out[tx] = k.0[0]
                        out[positionStride + tx] = k.1[0]
                        out[2 * positionStride + tx] = k.2[0]
                        out[3 * positionStride + tx] = k.3[0]
                        out[4 * positionStride + tx] = k.4[0]
                        out[5 * positionStride + tx] = k.5[0]
                        tx += 1
                    }
                }
            }
        }
    }
}
