/// The transforms of Winograd F(2×2, 3×3) (matrices in WinogradKernel.swift): 4×4 input patches,
/// 2×2 output tiles. Each is separable: whole rows are combined first, then columns within each
/// tile, eight tiles at a time with explicit SIMD where the access is strided.
extension WinogradKernel {
    // MARK: Weights

    /// U[ξ][o][i] = (G w[o][i] Gᵀ)[ξ] for the forward pass ([16, Cout, Cin]); with `forGradient`,
    /// of the flipped weight with channels swapped ([16, Cin, Cout]), for the input gradient.
    static func transformWeightsF2(
        _ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
        forGradient: Bool, into u: UnsafeMutablePointer<Float>
    ) {
        let rows = forGradient ? inChannels : outChannels, cols = forGradient ? outChannels : inChannels
        let plane = rows * cols
        parallelChunks(outChannels, minimumPerThread: max(1, 4096 / max(1, inChannels))) { range in
            for o in range {
                for i in 0..<inChannels {
                    let k = w + (o * inChannels + i) * 9
                    // g[r][c] (flipped for the gradient: g'[r][c] = g[2−r][2−c]); Gg is 4×3.
                    func g(_ t: Int) -> Float { forGradient ? k[8 - t] : k[t] }
                    var gg: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) = (.zero, .zero, .zero)  // columns of Gg
                    for c in 0..<3 {
                        let a = g(c), b = g(3 + c), d = g(6 + c)
                        let column = SIMD4<Float>(a, 0.5 * (a + b + d), 0.5 * (a - b + d), d)
                        if c == 0 { gg.0 = column } else if c == 1 { gg.1 = column } else { gg.2 = column }
                    }
                    // (Gg)Gᵀ: row r of the result from row r of Gg, for all four rows at once.
                    let a = gg.0, b = gg.1, d = gg.2
                    let c0 = a, c1 = 0.5 * (a + b + d), c2 = 0.5 * (a - b + d), c3 = d
                    let dst = forGradient ? (i * cols + o) : (o * cols + i)
                    for r in 0..<4 {
                        u[(4 * r) * plane + dst] = c0[r]
                        u[(4 * r + 1) * plane + dst] = c1[r]
                        u[(4 * r + 2) * plane + dst] = c2[r]
                        u[(4 * r + 3) * plane + dst] = c3[r]
                    }
                }
            }
        }
    }

    /// dW[pair] = Gᵀ dU[pair] G from the accumulated [16, pairs] transformed gradient.
    static func weightsFromTransformedF2(_ du: UnsafePointer<Float>, pairs: Int, into dw: UnsafeMutablePointer<Float>) {
        // dW = Gᵀ dU G per channel pair; Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
        parallelChunks(pairs, minimumPerThread: 4096) { range in
            for pair in range {
                func d(_ xi: Int) -> Float { du[xi * pairs + pair] }
                // z = Gᵀ dU: 3×4, row by row.
                let r0 = SIMD4<Float>(d(0), d(1), d(2), d(3)), r1 = SIMD4<Float>(d(4), d(5), d(6), d(7))
                let r2 = SIMD4<Float>(d(8), d(9), d(10), d(11)), r3 = SIMD4<Float>(d(12), d(13), d(14), d(15))
                let z = (r0 + 0.5 * (r1 + r2), 0.5 * (r1 - r2), 0.5 * (r1 + r2) + r3)
                let out = dw + pair * 9
                for r in 0..<3 {
                    let row = r == 0 ? z.0 : (r == 1 ? z.1 : z.2)
                    out[3 * r] = row[0] + 0.5 * (row[1] + row[2])
                    out[3 * r + 1] = 0.5 * (row[1] - row[2])
                    out[3 * r + 2] = 0.5 * (row[1] + row[2]) + row[3]
                }
            }
        }
    }

    /// Q[ξ][o][offset + (ty − first)·tilesW + tx] = (A dY Aᵀ)[ξ] for the output-gradient tiles of
    /// rows `tileRows` (values past the output's edge are zero: they were never outputs).
    static func gradientTransform(
        _ p: Problem, image gy: UnsafePointer<Float>, tileRows: Range<Int>,
        q: UnsafeMutablePointer<Float>, ld: Int, offset: Int,
        rows: UnsafeMutablePointer<Float>
    ) {
        let ho = p.outHeight, wo = p.outWidth, tw = p.tileColumns, span = 2 * tw
        let positionStride = p.outChannels * ld
        let y0 = rows, y1 = rows + span
        for o in 0..<p.outChannels {
            let plane = gy + o * ho * wo
            for ty in tileRows {
                let oy = 2 * ty
                y0.update(from: plane + oy * wo, count: wo)
                if oy + 1 < ho {
                    y1.update(from: plane + (oy + 1) * wo, count: wo)
                } else {
                    for t in 0..<wo { y1[t] = 0 }
                }
                if wo < span {
                    y0[wo] = 0
                    y1[wo] = 0
                }
                // Rows of A dY: y0, y0 + y1, y0 − y1, −y1 (whole rows at once) …
                let v0 = rows + 2 * span, v1 = v0 + span, v2 = v1 + span, v3 = v2 + span
                for t in 0..<span {
                    let a = y0[t], b = y1[t]
                    v0[t] = a
                    v1[t] = a + b
                    v2[t] = a - b
                    v3[t] = -b
                }
                // … then each row's column pairs [a, b] → [a, a + b, a − b, −b].
                let base = q + o * ld + offset + (ty - tileRows.lowerBound) * tw
                for r in 0..<4 {
                    let v = v0 + r * span
                    let o0 = base + (4 * r) * positionStride, o1 = o0 + positionStride
                    let o2 = o1 + positionStride, o3 = o2 + positionStride
                    var tx = 0
                    while tx + 8 <= tw {
                        let pair = simdLoad16(v + 2 * tx)
                        let a = pair.evenHalf, b = pair.oddHalf
                        simdStore(a, o0 + tx)
                        simdStore(a + b, o1 + tx)
                        simdStore(a - b, o2 + tx)
                        simdStore(-b, o3 + tx)
                        tx += 8
                    }
                    while tx < tw {
                        let a = v[2 &* tx], b = v[2 &* tx &+ 1]
                        o0[tx] = a
                        o1[tx] = a + b
                        o2[tx] = a - b
                        o3[tx] = -b
                        tx += 1
                    }
                }
            }
        }
    }

    /// V[ξ][c][offset + (ty − first)·tilesW + tx] = (Bᵀ d B)[ξ] for the tiles of rows `tileRows`.
    /// Separable: combine four input rows (vertical Bᵀ), then neighbouring columns (horizontal B).
    static func inputTransform(
        _ p: Problem, image x: UnsafePointer<Float>, tileRows: Range<Int>,
        v: UnsafeMutablePointer<Float>, ld: Int, offset: Int,
        rows: UnsafeMutablePointer<Float>
    ) {
        let h = p.height, w = p.width, pad = p.padding, tw = p.tileColumns
        let span = 2 * tw + 2  // padded columns: index q is input column q − p
        let channelStride = ld, positionStride = p.inChannels * ld
        let d = rows, t = rows + 4 * span  // 4 padded input rows, then their 4 combinations
        // Input columns that exist: q − p in 0..<w.
        let qStart = min(span, pad), qEnd = min(span, w + pad)
        for c in 0..<p.inChannels {
            let plane = x + c * h * w
            for ty in tileRows {
                for r in 0..<4 {
                    let row = d + r * span
                    let iy = 2 * ty - pad + r
                    if iy < 0 || iy >= h {
                        for q in 0..<span { row[q] = 0 }
                        continue
                    }
                    let src = plane + iy * w - pad
                    for q in 0..<qStart { row[q] = 0 }
                    for q in qStart..<qEnd { row[q] = src[q] }
                    for q in qEnd..<span { row[q] = 0 }
                }
                let d0 = d, d1 = d + span, d2 = d + 2 * span, d3 = d + 3 * span
                let t0 = t, t1 = t + span, t2 = t + 2 * span, t3 = t + 3 * span
                for q in 0..<span {
                    t0[q] = d0[q] - d2[q]
                    t1[q] = d1[q] + d2[q]
                    t2[q] = d2[q] - d1[q]
                    t3[q] = d1[q] - d3[q]
                }
                let base = v + c * channelStride + offset + (ty - tileRows.lowerBound) * tw
                for r in 0..<4 {
                    let s = t + r * span
                    let o0 = base + (4 * r) * positionStride, o1 = o0 + positionStride
                    let o2 = o1 + positionStride, o3 = o2 + positionStride
                    var tx = 0
                    while tx + 8 <= tw {
                        let first = simdLoad16(s + 2 * tx), second = simdLoad16(s + 2 * tx + 2)
                        let a = first.evenHalf, b = first.oddHalf, e = second.evenHalf, f = second.oddHalf
                        simdStore(a - e, o0 + tx)
                        simdStore(b + e, o1 + tx)
                        simdStore(e - b, o2 + tx)
                        simdStore(b - f, o3 + tx)
                        tx += 8
                    }
                    while tx < tw {
                        let a = s[2 &* tx], b = s[2 &* tx &+ 1], e = s[2 &* tx &+ 2], f = s[2 &* tx &+ 3]
                        o0[tx] = a - e
                        o1[tx] = b + e
                        o2[tx] = e - b
                        o3[tx] = b - f
                        tx += 1
                    }
                }
            }
        }
    }

    /// y[o, 2ty + a, 2tx + b] = (Aᵀ M A)[a][b] + bias[o], for the tiles of rows `tileRows`.
    static func outputTransform(
        _ p: Problem, m: UnsafePointer<Float>, ld: Int, offset: Int,
        tileRows: Range<Int>, bias: UnsafePointer<Float>?,
        image y: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
    ) {
        let ho = p.outHeight, wo = p.outWidth, tw = p.tileColumns
        let positionStride = p.outChannels * ld
        let top = rows, bottom = top + 2 * tw
        for o in 0..<p.outChannels {
            let bo = bias?[o] ?? 0
            let plane = y + o * ho * wo
            for ty in tileRows {
                let base = m + o * ld + offset + (ty - tileRows.lowerBound) * tw
                let m0 = base, m1 = m0 + positionStride, m2 = m1 + positionStride, m3 = m2 + positionStride
                let m4 = m3 + positionStride, m5 = m4 + positionStride, m6 = m5 + positionStride
                let m7 = m6 + positionStride, m8 = m7 + positionStride, m9 = m8 + positionStride
                let m10 = m9 + positionStride, m11 = m10 + positionStride, m12 = m11 + positionStride
                let m13 = m12 + positionStride, m14 = m13 + positionStride, m15 = m14 + positionStride
                // Eight tiles at a time in registers: horizontal then vertical combination, and the
                // two output columns of each tile interleaved into the output rows.
                var tx = 0
                let biasVector = SIMD8<Float>(repeating: bo)
                while tx + 8 <= tw {
                    let l0 = simdLoad8(m0 + tx) + simdLoad8(m1 + tx) + simdLoad8(m2 + tx)
                    let r0 = simdLoad8(m1 + tx) - simdLoad8(m2 + tx) - simdLoad8(m3 + tx)
                    let l1 = simdLoad8(m4 + tx) + simdLoad8(m5 + tx) + simdLoad8(m6 + tx)
                    let r1 = simdLoad8(m5 + tx) - simdLoad8(m6 + tx) - simdLoad8(m7 + tx)
                    let l2 = simdLoad8(m8 + tx) + simdLoad8(m9 + tx) + simdLoad8(m10 + tx)
                    let r2 = simdLoad8(m9 + tx) - simdLoad8(m10 + tx) - simdLoad8(m11 + tx)
                    let l3 = simdLoad8(m12 + tx) + simdLoad8(m13 + tx) + simdLoad8(m14 + tx)
                    let r3 = simdLoad8(m13 + tx) - simdLoad8(m14 + tx) - simdLoad8(m15 + tx)
                    simdStore(simdInterleave(l0 + l1 + l2 + biasVector, r0 + r1 + r2 + biasVector), top + 2 * tx)
                    simdStore(simdInterleave(l1 - l2 - l3 + biasVector, r1 - r2 - r3 + biasVector), bottom + 2 * tx)
                    tx += 8
                }
                while tx < tw {
                    let l0 = m0[tx] + m1[tx] + m2[tx], r0 = m1[tx] - m2[tx] - m3[tx]
                    let l1 = m4[tx] + m5[tx] + m6[tx], r1 = m5[tx] - m6[tx] - m7[tx]
                    let l2 = m8[tx] + m9[tx] + m10[tx], r2 = m9[tx] - m10[tx] - m11[tx]
                    let l3 = m12[tx] + m13[tx] + m14[tx], r3 = m13[tx] - m14[tx] - m15[tx]
                    top[2 &* tx] = l0 + l1 + l2 + bo
                    top[2 &* tx &+ 1] = r0 + r1 + r2 + bo
                    bottom[2 &* tx] = l1 - l2 - l3 + bo
                    bottom[2 &* tx &+ 1] = r1 - r2 - r3 + bo
                    tx += 1
                }
                let oy = 2 * ty
                (plane + oy * wo).update(from: top, count: wo)
                if oy + 1 < ho { (plane + (oy + 1) * wo).update(from: bottom, count: wo) }
            }
        }
    }
}
