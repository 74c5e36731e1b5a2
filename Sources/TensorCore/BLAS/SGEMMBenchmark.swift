import CBLAS
import Foundation

/// The shape of one single-precision matrix product C[m×n] = A[m×k] · B[k×n].
public struct SGEMMShape: Sendable, Equatable, Codable {
    public var m: Int
    public var n: Int
    public var k: Int
    /// A short description for reports, e.g. "square 1024" or "conv 128×1152×4096".
    public var label: String

    public init(m: Int, n: Int, k: Int, label: String? = nil) {
        self.m = m
        self.n = n
        self.k = k
        self.label = label ?? "\(m)×\(n)×\(k)"
    }

    public static func square(_ size: Int) -> SGEMMShape {
        SGEMMShape(m: size, n: size, k: size, label: "square \(size)")
    }

    /// Floating-point operations of one product (a multiply and an add per term).
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// The timing of one shape: every repeat is timed on its own and the median is reported,
/// so a single interruption by another process does not move the figure.
public struct SGEMMMeasurement: Sendable, Equatable, Codable {
    public var shape: SGEMMShape
    public var repeats: Int
    public var medianSeconds: Double
    public var fastestSeconds: Double

    public init(shape: SGEMMShape, repeats: Int, medianSeconds: Double, fastestSeconds: Double) {
        self.shape = shape
        self.repeats = repeats
        self.medianSeconds = medianSeconds
        self.fastestSeconds = fastestSeconds
    }

    /// The rate at the median time, in 10⁹ floating-point operations per second.
    public var medianGFLOPS: Double { shape.flops / medianSeconds / 1e9 }
    /// The rate of the fastest repeat.
    public var bestGFLOPS: Double { shape.flops / fastestSeconds / 1e9 }
}

/// Measures the machine's sgemm rate through `cblas_sgemm`, the yardstick for every
/// training-step benchmark ("this network runs at x% of sgemm").
public enum SGEMMBenchmark {
    /// Square sizes from cache-resident to memory-bound, and the shape of a 3×3 convolution
    /// with 128 input and 128 output channels on a 64×64 map computed as im2col · weights:
    /// C[128 × 4096] = W[128 × (9·128)] · columns[(9·128) × 4096].
    public static let standardShapes: [SGEMMShape] = [
        .square(256), .square(512), .square(1024), .square(2048),
        SGEMMShape(m: 128, n: 4096, k: 9 * 128, label: "conv 128×(9·128)×4096"),
    ]

    /// Times `shape` in row-major order on deterministic data: one untimed warm-up call, then
    /// at least `minimumRepeats` timed calls and more while their total is under
    /// `targetSeconds` (never more than `maximumRepeats`).
    public static func measure(
        _ shape: SGEMMShape,
        minimumRepeats: Int = 5,
        maximumRepeats: Int = 200,
        targetSeconds: Double = 0.5
    ) throws -> SGEMMMeasurement {
        // Sides up to 2³¹ cannot overflow a 64-bit product; each matrix must fit BLAS's 32-bit indices.
        let limit = Int(Int32.max)
        let sides = [shape.m, shape.n, shape.k]
        guard sides.allSatisfy({ (1...limit).contains($0) }),
            shape.m * shape.k <= limit, shape.k * shape.n <= limit, shape.m * shape.n <= limit
        else {
            throw SGEMMBenchmarkError(
                message: "sgemm shape \(shape.label) must have positive sides and fewer than 2³¹ elements per matrix")
        }
        var generator = SeededGenerator(seed: 0x5EED_0F_B1A5)
        let a = (0..<(shape.m * shape.k)).map { _ in generator.uniform(-1, 1) }
        let b = (0..<(shape.k * shape.n)).map { _ in generator.uniform(-1, 1) }
        var c = [Float](repeating: 0, count: shape.m * shape.n)

        func product() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        cblas_sgemm(
                            CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            Int32(shape.m), Int32(shape.n), Int32(shape.k),
                            1, a.baseAddress, Int32(shape.k),
                            b.baseAddress, Int32(shape.n),
                            0, c.baseAddress, Int32(shape.n))
                    }
                }
            }
        }

        product()  // warm-up: wakes the BLAS threads and faults in the pages of C
        var times: [Double] = []
        var total = 0.0
        let lowest = max(1, minimumRepeats)
        while times.count < lowest || (total < targetSeconds && times.count < max(lowest, maximumRepeats)) {
            let start = DispatchTime.now().uptimeNanoseconds
            product()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            times.append(max(seconds, 1e-9))
            total += seconds
        }
        times.sort()
        let middle = times.count / 2
        let median = times.count % 2 == 1 ? times[middle] : 0.5 * (times[middle - 1] + times[middle])
        return SGEMMMeasurement(
            shape: shape, repeats: times.count, medianSeconds: median,
            fastestSeconds: times[0])
    }

    /// Measures each shape in turn; `shouldStop` is asked between shapes so a long run can be cut short.
    public static func run(
        shapes: [SGEMMShape] = standardShapes,
        minimumRepeats: Int = 5,
        targetSeconds: Double = 0.5,
        shouldStop: () -> Bool = { false },
        onMeasured: (SGEMMMeasurement) -> Void = { _ in }
    ) throws -> [SGEMMMeasurement] {
        var results: [SGEMMMeasurement] = []
        for shape in shapes {
            if shouldStop() { break }
            let result = try measure(shape, minimumRepeats: minimumRepeats, targetSeconds: targetSeconds)
            results.append(result)
            onMeasured(result)
        }
        return results
    }
}

/// A benchmark request that cannot be run (for example a non-positive matrix side).
public struct SGEMMBenchmarkError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
