import Foundation
import TensorCore
import XCTest

/// Timings of the non-GEMM parts of a training step, run only when FMF_BENCHMARKS=1
/// (`FMF_BENCHMARKS=1 swift test -c release --filter NormBenchmarkTests`), because they take
/// seconds and must not run beside other work on a shared machine.
final class NormBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["FMF_BENCHMARKS"] == "1" else {
            throw XCTSkip("benchmarks run only with FMF_BENCHMARKS=1")
        }
    }

    func testGroupNormSpeed() {
        for shape in [[16, 128, 32, 32], [16, 64, 64, 64]] {
            let x = Variable(parameter: randomTensor(shape, seed: 1))
            let gamma = Variable(parameter: randomTensor([shape[1]], seed: 2))
            let beta = Variable(parameter: randomTensor([shape[1]], seed: 3))
            let seed = randomTensor(shape, seed: 4)
            let megabytes = Double(x.value.count * 4) / 1e6
            // Minimum traffic: forward reads x, writes y; backward reads x and ∂y, writes ∂x.
            let variants: [(String, () -> Variable)] = [
                ("groupNorm", { groupNorm(x, groups: 8, weight: gamma, bias: beta) }),
                ("groupNorm then silu", { groupNorm(x, groups: 8, weight: gamma, bias: beta).silu() }),
                ("groupNormSiLU (fused)", { groupNormSiLU(x, groups: 8, weight: gamma, bias: beta) }),
            ]
            let copy = BenchmarkTiming.median { _ = x.value.map { $0 } }
            print(String(format: "copy %@ (bandwidth reference): %.2f ms (%.1f GB/s)", "\(shape)", copy * 1e3,
                         2 * megabytes / copy / 1e3))
            for (name, op) in variants {
                let forward = BenchmarkTiming.median { _ = op() }
                let total = BenchmarkTiming.median {
                    // Cleared so that backward assigns ∂x instead of adding it to the last one.
                    x.grad = nil
                    gamma.grad = nil
                    beta.grad = nil
                    op().backward(seed: seed)
                }
                XCTAssertTrue(x.grad!.values.allSatisfy(\.isFinite))
                print(String(format: "%@ %@: forward %.2f ms (%.1f GB/s), forward+backward %.2f ms (%.1f GB/s)",
                             name, "\(shape)", forward * 1e3, 2 * megabytes / forward / 1e3,
                             total * 1e3, 5 * megabytes / total / 1e3))
            }
        }
    }

    func testAttentionSpeed() {
        let shape = [16, 1, 256, 128]
        let q = Variable(parameter: randomTensor(shape, seed: 1)), k = Variable(parameter: randomTensor(shape, seed: 2))
        let v = Variable(parameter: randomTensor(shape, seed: 3))
        let seed = randomTensor(shape, seed: 4)
        // Two [256×256×128] products forward, four backward, per (batch, head).
        let gflop = 16 * 2 * 2.0 * 256 * 256 * 128 / 1e9
        let forward = BenchmarkTiming.median { _ = scaledDotProductAttention(q: q, k: k, v: v) }
        let total = BenchmarkTiming.median {
            for p in [q, k, v] { p.grad = nil }
            scaledDotProductAttention(q: q, k: k, v: v).backward(seed: seed)
        }
        XCTAssertTrue(q.grad!.values.allSatisfy(\.isFinite))
        print(String(format: "attention %@: forward %.2f ms (%.1f GFLOP/s), forward+backward %.2f ms (%.1f GFLOP/s)",
                     "\(shape)", forward * 1e3, gflop / forward, total * 1e3, 3 * gflop / total))
        let qkv = Variable(parameter: randomTensor([16, 384, 16, 16], seed: 5))
        let spatialSeed = randomTensor([16, 128, 16, 16], seed: 6)
        let spatial = BenchmarkTiming.median {
            qkv.grad = nil
            spatialSelfAttention(qkv).backward(seed: spatialSeed)
        }
        print(String(format: "spatialSelfAttention [16, 384, 16, 16]: forward+backward %.2f ms (%.1f GFLOP/s)",
                     spatial * 1e3, 3 * gflop / spatial))
    }
}

enum BenchmarkTiming {
    /// Median wall time in seconds of `runs` calls after one warm-up call (the machine is shared,
    /// so the median is steadier than the mean).
    static func median(runs: Int = 15, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[runs / 2]
    }
}
