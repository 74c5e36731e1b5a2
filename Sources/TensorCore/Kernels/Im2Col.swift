/// Unrolling of image patches into a matrix ("im2col") and its adjoint ("col2im"), so that a
/// convolution becomes one matrix product.
///
/// Row r = (c·kh + i)·kw + j of the column matrix holds, for every output pixel (oy, ox), the input
/// value x[c, oy·s − p + i, ox·s − p + j] (zero outside the image). Both functions handle a range
/// of output rows of one image, written at a column offset of a wider matrix, so callers can work
/// in cache-sized tiles or put several images side by side.
enum Im2Col {
    /// Writes rows `rows` of the output grid of one image `x` [Cin, H, W] into
    /// `columns[r·ld + offset + (oy − rows.lowerBound)·Wo + ox]`.
    static func unroll(
        _ g: ConvolutionGeometry, image x: UnsafePointer<Float>, rows: Range<Int>,
        into columns: UnsafeMutablePointer<Float>, ld: Int, offset: Int
    ) {
        let wo = g.outWidth, s = g.stride, pad = g.padding, h = g.height, w = g.width
        var row = 0
        for c in 0..<g.inChannels {
            let plane = x + c * h * w
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let valid = g.validOutputColumns(kernelColumn: j)
                    let lo = valid.lowerBound, hi = valid.upperBound
                    let dst = columns + row * ld + offset
                    for oy in rows {
                        let d = dst + (oy - rows.lowerBound) * wo
                        let iy = oy * s - pad + i
                        if iy < 0 || iy >= h {
                            for t in 0..<wo { d[t] = 0 }
                            continue
                        }
                        for t in 0..<lo { d[t] = 0 }
                        let src = plane + iy * w - pad + j  // src[ox·s] is x[c, iy, ox·s − p + j]
                        if s == 1 {
                            for t in lo..<hi { d[t] = src[t] }
                        } else if s == 2 {
                            // Even lanes of 16 consecutive inputs; the last output is left to the
                            // scalar loop so the vector never reads past the row's last needed input.
                            var t = lo
                            while t + 9 <= hi {
                                simdStore(simdLoad16(src + 2 * t).evenHalf, d + t)
                                t += 8
                            }
                            while t < hi {
                                d[t] = src[2 &* t]
                                t += 1
                            }
                        } else {
                            for t in lo..<hi { d[t] = src[s &* t] }
                        }
                        for t in hi..<wo { d[t] = 0 }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the column-matrix gradient of rows `rows` of one image back onto its input gradient
    /// `dx` [Cin, H, W] (which the caller has initialised): the adjoint of `unroll`.
    static func fold(
        _ g: ConvolutionGeometry, columns: UnsafePointer<Float>, ld: Int, offset: Int,
        rows: Range<Int>, into dx: UnsafeMutablePointer<Float>
    ) {
        let wo = g.outWidth, s = g.stride, pad = g.padding, h = g.height, w = g.width
        var row = 0
        for c in 0..<g.inChannels {
            let plane = dx + c * h * w
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let valid = g.validOutputColumns(kernelColumn: j)
                    let lo = valid.lowerBound, hi = valid.upperBound
                    let src = columns + row * ld + offset
                    for oy in rows {
                        let iy = oy * s - pad + i
                        if iy < 0 || iy >= h { continue }
                        let v = src + (oy - rows.lowerBound) * wo
                        let d = plane + iy * w - pad + j
                        if s == 1 {
                            for t in lo..<hi { d[t] += v[t] }
                        } else if s == 2 {
                            var t = lo
                            while t + 9 <= hi {
                                var pair = simdLoad16(d + 2 * t)
                                pair.evenHalf += simdLoad8(v + t)
                                simdStore(pair, d + 2 * t)
                                t += 8
                            }
                            while t < hi {
                                d[2 &* t] += v[t]
                                t += 1
                            }
                        } else {
                            for t in lo..<hi { d[s &* t] += v[t] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
