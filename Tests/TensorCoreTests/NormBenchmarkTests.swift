import Foundation
import TensorCore
import XCTest

/// Timings of the non-GEMM parts of a training step, run only when FMF_BENCHMARKS=1
/// (`FMF_BENCHMARKS=1 swift test -c release --filter NormBenchmarkTests`), because they take
/// seconds and must not run beside other work on a shared machine. The allocator is tuned as a
/// trainer would tune it (`AllocatorTuning`) unless FMF_BENCHMARKS_DEFAULT_ALLOCATOR=1.
final class NormBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["FMF_BENCHMARKS"] == "1" else {
            throw XCTSkip("benchmarks run only with FMF_BENCHMARKS=1")
        }
        if environment["FMF_BENCHMARKS_DEFAULT_ALLOCATOR"] != "1" { AllocatorTuning.keepFreedMemoryForReuse() }
    }

    func testGroupNormSpeed() {
        for shape in [[16, 128, 32, 32], [16, 64, 64, 64]] {
            let (n, c) = (shape[0], shape[1])
            let x = Variable(parameter: randomTensor(shape, seed: 1))
            let gamma = Variable(parameter: randomTensor([c], seed: 2)), beta = Variable(parameter: randomTensor([c], seed: 3))
            let scale = Variable(parameter: randomTensor([n, c], seed: 4)), shift = Variable(parameter: randomTensor([n, c], seed: 5))
            let seed = randomTensor(shape, seed: 6)
            let megabytes = Double(x.value.count * 4) / 1e6
            let copy = BenchmarkTiming.measure {
                let y = Tensor(uninitializedShape: shape)
                y.unsafePointer.update(from: x.value.unsafePointer, count: y.count)
            }
            print("memcpy \(shape) (one thread, bandwidth reference): \(copy.text(megabytes: 2 * megabytes))")
            let variants: [(String, () -> Variable)] = [
                ("groupNorm", { groupNorm(x, groups: 8, weight: gamma, bias: beta) }),
                ("groupNorm → silu (unfused)", { groupNorm(x, groups: 8, weight: gamma, bias: beta).silu() }),
                ("groupNormSiLU (fused)", { groupNormSiLU(x, groups: 8, weight: gamma, bias: beta) }),
                ("groupNorm → scaleShift → silu (unfused)", {
                    scaleShift(groupNorm(x, groups: 8, weight: gamma, bias: beta), scale: scale, shift: shift).silu()
                }),
                ("groupNormScaleShift + silu (fused)", {
                    groupNormScaleShift(x, groups: 8, weight: gamma, bias: beta, scale: scale, shift: shift, silu: true)
                }),
            ]
            for (name, op) in variants {
                let forward = BenchmarkTiming.measure { _ = op() }
                let total = BenchmarkTiming.measure {
                    // Cleared so that backward assigns ∂x instead of adding it to the last one.
                    for p in [x, gamma, beta, scale, shift] { p.grad = nil }
                    op().backward(seed: seed)
                }
                XCTAssertTrue(x.grad!.values.allSatisfy(\.isFinite))
                // Minimum traffic: forward reads x and writes y; backward reads x and ∂y, writes ∂x.
                print("\(name) \(shape): forward \(forward.text(megabytes: 2 * megabytes)); "
                      + "forward+backward \(total.text(megabytes: 5 * megabytes))")
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
        let forward = BenchmarkTiming.measure { _ = scaledDotProductAttention(q: q, k: k, v: v) }
        let total = BenchmarkTiming.measure {
            for p in [q, k, v] { p.grad = nil }
            scaledDotProductAttention(q: q, k: k, v: v).backward(seed: seed)
        }
        XCTAssertTrue(q.grad!.values.allSatisfy(\.isFinite))
        print("attention \(shape): forward \(forward.text(gflop: gflop)); forward+backward \(total.text(gflop: 3 * gflop))")
        let qkv = Variable(parameter: randomTensor([16, 384, 16, 16], seed: 5))
        let spatialSeed = randomTensor([16, 128, 16, 16], seed: 6)
        let spatialForward = BenchmarkTiming.measure { _ = spatialSelfAttention(qkv) }
        let spatial = BenchmarkTiming.measure {
            qkv.grad = nil
            spatialSelfAttention(qkv).backward(seed: spatialSeed)
        }
        print("spatialSelfAttention [16, 384, 16, 16] → [16, 128, 16, 16]: forward \(spatialForward.text(gflop: gflop)); "
              + "forward+backward \(spatial.text(gflop: 3 * gflop))")
    }
}

/// Wall-clock timing for the benchmarks.
struct BenchmarkTiming {
    /// Fastest and median of the timed runs, in seconds.
    let best: Double
    let median: Double

    /// Times `runs` calls after one warm-up call. The machine is shared, so both the best run
    /// (what the code can do) and the median (what it typically got) are kept.
    static func measure(runs: Int = 15, _ body: () -> Void) -> BenchmarkTiming {
        body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return BenchmarkTiming(best: times[0], median: times[runs / 2])
    }

    func text(megabytes: Double) -> String {
        String(format: "best %.2f ms (%.1f GB/s), median %.2f ms", best * 1e3, megabytes / best / 1e3, median * 1e3)
    }

    func text(gflop: Double) -> String {
        String(format: "best %.2f ms (%.1f GFLOP/s), median %.2f ms", best * 1e3, gflop / best, median * 1e3)
    }
}
