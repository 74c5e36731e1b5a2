/// C[m×n] = A[m×k] · B[k×n] (row-major, C overwritten) with A packed once beforehand, for the
/// many small products of the Winograd convolutions.
///
/// A Winograd convolution is 36 (or 16) products [Cout, Cin]·[Cin, tiles] per block of tiles,
/// and a 16×16 latent has only 16 tiles: tens of thousands of sgemm calls of 64×64×16 per
/// network pass. OpenBLAS re-packs both operands and clears C on every call, and measured
/// 47–70 GFLOP/s per core on those shapes in a hot loop (about 40 inside a network pass),
/// against ~95 for this register-blocked kernel: A (the transformed weights, the same for every
/// block) is packed once into panels of six rows, B is read in place, C is stored once.
///
/// The micro-kernel keeps a 6×16 block of C in twelve AVX2 registers (six 16-lane vectors) and
/// adds one rank-1 update per k: a 16-wide row of B times six broadcast values of A.
public enum PackedGEMM {
    /// Rows of A per panel: 6 rows × 16 columns of accumulators fill 12 of the 16 AVX2 registers.
    public static let panelRows = 6

    public static func panelCount(rows m: Int) -> Int { (m + panelRows - 1) / panelRows }

    /// Floats of A packed: whole panels, the last one zero-padded.
    public static func packedCount(m: Int, k: Int) -> Int { panelCount(rows: m) * panelRows * k }

    /// packed[panel][kk][r] = A[panel·6 + r][kk] (0 past the last row).
    public static func pack(
        _ a: UnsafePointer<Float>, m: Int, k: Int, lda: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        for panel in 0..<panelCount(rows: m) {
            let out = packed + panel * panelRows * k
            for r in 0..<panelRows {
                let row = panel * panelRows + r
                if row < m {
                    let source = a + row * lda
                    for kk in 0..<k { out[kk * panelRows + r] = source[kk] }
                } else {
                    for kk in 0..<k { out[kk * panelRows + r] = 0 }
                }
            }
        }
    }

    /// Packs A = scale · Sᵀ for a row-major source S [k × m] (leading dimension lds): a
    /// feature-major attention head (channels × positions) read as positions × channels.
    public static func packTransposed(
        _ source: UnsafePointer<Float>, m: Int, k: Int, lds: Int, scale: Float = 1,
        into packed: UnsafeMutablePointer<Float>
    ) {
        for panel in 0..<panelCount(rows: m) {
            let out = packed + panel * panelRows * k, first = panel * panelRows
            let rows = min(panelRows, m - first)
            for kk in 0..<k {
                let row = source + kk * lds + first, o = out + kk * panelRows
                for r in 0..<rows { o[r] = scale * row[r] }
                for r in rows..<panelRows { o[r] = 0 }
            }
        }
    }

    /// C = A·B (+ rowBias[i] on row i) for A packed by `pack` (same m and k); B and C may have
    /// any leading dimension ≥ n.
    public static func multiply(
        m: Int, n: Int, k: Int, packedA: UnsafePointer<Float>,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        rowBias: UnsafePointer<Float>? = nil
    ) {
        if m == 0 || n == 0 { return }
        /// Columns j ..< j + V.scalarCount of C, every panel.
        @inline(__always) func strip<V: SIMD>(_ lanes: V.Type, at j: Int) where V.Scalar == Float {
            for panel in 0..<panelCount(rows: m) {
                microKernel(
                    V.self, k: k, a: packedA + panel * panelRows * k, b: b + j, ldb: ldb,
                    c: c + panel * panelRows * ldc + j, ldc: ldc, rows: min(panelRows, m - panel * panelRows),
                    bias: rowBias.map { $0 + panel * panelRows })
            }
        }
        // Columns in strips of 16, then 8: the strip of B (k×16 floats) stays in L1 across all panels.
        var j = 0
        while j + 16 <= n {
            strip(SIMD16<Float>.self, at: j)
            j += 16
        }
        if j + 8 <= n {
            strip(SIMD8<Float>.self, at: j)
            j += 8
        }
        if j < n {
            multiplyNarrow(
                m: m, columns: j..<n, k: k, packedA: packedA, b: b, ldb: ldb, c: c, ldc: ldc, rowBias: rowBias)
        }
    }

    /// The last < 8 columns: copied into a zero-padded 8-wide strip (so vector loads never read
    /// past B), multiplied 8 wide into a staging block, and the valid columns copied out.
    private static func multiplyNarrow(
        m: Int, columns: Range<Int>, k: Int, packedA: UnsafePointer<Float>,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        rowBias: UnsafePointer<Float>?
    ) {
        let width = columns.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * k + 8 * panelRows) { buffer in
            let strip = buffer.baseAddress!, staging = strip + 8 * k
            for kk in 0..<k {
                for t in 0..<8 { strip[kk * 8 + t] = t < width ? b[kk * ldb + columns.lowerBound + t] : 0 }
            }
            for panel in 0..<panelCount(rows: m) {
                let rows = min(panelRows, m - panel * panelRows)
                microKernel(
                    SIMD8<Float>.self, k: k, a: packedA + panel * panelRows * k, b: strip, ldb: 8,
                    c: staging, ldc: 8, rows: rows, bias: rowBias.map { $0 + panel * panelRows })
                for r in 0..<rows {
                    (c + (panel * panelRows + r) * ldc + columns.lowerBound).update(from: staging + r * 8, count: width)
                }
            }
        }
    }

    /// C[rows × V.scalarCount] = panel · B[k × V.scalarCount] (+ bias[r] on row r): six
    /// accumulator vectors, one fused multiply-add each per k.
    @inline(__always)
    private static func microKernel<V: SIMD>(
        _: V.Type, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int,
        bias: UnsafePointer<Float>?
    ) where V.Scalar == Float {
        @inline(__always) func start(_ r: Int) -> V {
            guard let bias, r < rows else { return V() }
            return V(repeating: bias[r])
        }
        var c0 = start(0), c1 = start(1), c2 = start(2), c3 = start(3), c4 = start(4), c5 = start(5)
        var pa = a, pb = b
        for _ in 0..<k {
            let row = UnsafeRawPointer(pb).loadUnaligned(as: V.self)
            c0 = c0.addingProduct(V(repeating: pa[0]), row)
            c1 = c1.addingProduct(V(repeating: pa[1]), row)
            c2 = c2.addingProduct(V(repeating: pa[2]), row)
            c3 = c3.addingProduct(V(repeating: pa[3]), row)
            c4 = c4.addingProduct(V(repeating: pa[4]), row)
            c5 = c5.addingProduct(V(repeating: pa[5]), row)
            pa += panelRows
            pb += ldb
        }
        @inline(__always) func store(_ v: V, _ r: Int) {
            if r < rows { UnsafeMutableRawPointer(c + r * ldc).storeBytes(of: v, as: V.self) }
        }
        store(c0, 0)
        store(c1, 1)
        store(c2, 2)
        store(c3, 3)
        store(c4, 4)
        store(c5, 5)
    }
}
