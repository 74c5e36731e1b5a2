import TensorCore
import VQVAE
import XCTest

final class NearestCodeSearchTests: XCTestCase {
    /// The plain loop the vectorised search must agree with (first minimum wins).
    private func bruteForce(_ x: [Float], _ codes: [Float], d: Int) -> [Int32] {
        let k = codes.count / d
        return stride(from: 0, to: x.count, by: d).map { start in
            var best = Float.infinity, index = 0
            for c in 0..<k {
                var s: Float = 0
                for j in 0..<d {
                    let diff = x[start + j] - codes[c * d + j]
                    s += diff * diff
                }
                if s < best {
                    best = s
                    index = c
                }
            }
            return Int32(index)
        }
    }

    func testAgreesWithBruteForceForSeveralShapes() {
        var generator = SeededGenerator(seed: 11)
        // Code counts that are and are not multiples of the 8 SIMD lanes; one dimension > 4.
        for (k, d, m) in [(256, 4, 3000), (37, 4, 500), (5, 7, 300), (1, 4, 10)] {
            let codebook = Initialization.normal(shape: [k, d], generator: &generator)
            let vectors = Initialization.normal(shape: [m, d], std: 1.3, generator: &generator)
            let found = NearestCodeSearch(codebook: codebook).nearest(vectors)
            XCTAssertEqual(found, bruteForce(vectors.values, codebook.values, d: d), "K \(k) D \(d)")
        }
    }

    func testTiesGoToTheLowestIndex() {
        // Codes 1 and 3 are the same point: the vector on it must get code 1.
        let codebook = Tensor(shape: [4, 2], values: [5, 5, 1, 1, -3, 0, 1, 1])
        let vectors = Tensor(shape: [2, 2], values: [1, 1, 1.1, 0.9])
        XCTAssertEqual(NearestCodeSearch(codebook: codebook).nearest(vectors), [1, 1])
    }
}
