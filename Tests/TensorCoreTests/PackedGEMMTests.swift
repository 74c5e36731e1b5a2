import TensorCore
import XCTest

/// `PackedGEMM` against a plain triple loop, on shapes that exercise every path: whole 16-wide
/// strips, the 8-wide strip, the narrow tail, a last panel with fewer than six rows, row biases,
/// leading dimensions wider than the matrices, and A packed from a transposed source.
final class PackedGEMMTests: XCTestCase {
    private func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, ldb: Int, bias: [Float]?) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = Double(bias?[i] ?? 0)
                for kk in 0..<k { s += Double(a[i * k + kk]) * Double(b[kk * ldb + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    private func check(
        m: Int, n: Int, k: Int, withBias: Bool, transposedSource: Bool, seed: UInt64,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let ldb = n + 3, ldc = n + 5
        let a = randomTensor([m * k], seed: seed).values
        let b = randomTensor([k * ldb], seed: seed + 1).values
        let bias = withBias ? randomTensor([m], seed: seed + 2).values : nil
        var packed = [Float](repeating: .nan, count: PackedGEMM.packedCount(m: m, k: k))
        if transposedSource {
            // Source S [k × m] (leading dimension m + 2) with Sᵀ = A / 2, packed with scale 2.
            let lds = m + 2
            var source = [Float](repeating: .nan, count: k * lds)
            for i in 0..<m { for kk in 0..<k { source[kk * lds + i] = a[i * k + kk] / 2 } }
            PackedGEMM.packTransposed(source, m: m, k: k, lds: lds, scale: 2, into: &packed)
        } else {
            PackedGEMM.pack(a, m: m, k: k, lda: k, into: &packed)
        }
        let sentinel: Float = -12345
        var c = [Float](repeating: sentinel, count: m * ldc)
        c.withUnsafeMutableBufferPointer { out in
            if let bias {
                PackedGEMM.multiply(
                    m: m, n: n, k: k, packedA: packed, b: b, ldb: ldb, c: out.baseAddress!, ldc: ldc,
                    rowBias: bias)
            } else {
                PackedGEMM.multiply(m: m, n: n, k: k, packedA: packed, b: b, ldb: ldb, c: out.baseAddress!, ldc: ldc)
            }
        }
        let expected = reference(a, b, m: m, n: n, k: k, ldb: ldb, bias: bias)
        for i in 0..<m {
            for j in 0..<n {
                XCTAssertEqual(
                    c[i * ldc + j], expected[i * n + j], accuracy: 1e-4 * Float(k).squareRoot() + 1e-5,
                    "m \(m) n \(n) k \(k): C[\(i), \(j)]", file: file, line: line)
            }
            for j in n..<ldc {
                XCTAssertEqual(
                    c[i * ldc + j], sentinel, "m \(m) n \(n) k \(k): column \(j) past n was written",
                    file: file, line: line)
            }
        }
    }

    func testEveryColumnAndRowRemainder() {
        var seed: UInt64 = 1
        for m in [1, 5, 6, 7, 13] {
            for n in [1, 7, 8, 9, 16, 17, 25, 40] {
                for k in [1, 3, 20] {
                    check(m: m, n: n, k: k, withBias: seed % 2 == 0, transposedSource: false, seed: seed)
                    seed += 3
                }
            }
        }
    }

    func testRowBiasAndTransposedSource() {
        check(m: 64, n: 16, k: 64, withBias: true, transposedSource: false, seed: 100)
        check(m: 64, n: 64, k: 128, withBias: false, transposedSource: true, seed: 200)
        check(m: 11, n: 23, k: 9, withBias: true, transposedSource: true, seed: 300)
    }
}
