import Foundation

/// The arithmetic shared by every group-normalisation op on NCHW tensors:
///
///     x̂ = (x − μ[n,g]) / √(σ²[n,g] + ε)        (biased variance, as PyTorch)
///     h = x̂ · gain[n,c] + offset[n,c]
///     y = h, or silu(h) when fused
///
/// Plain GroupNorm has gain = γ[c], offset = β[c]; the time-conditioned variant folds
/// `·(1 + scale) + shift` into per-sample coefficients, so all variants are one pass over the
/// data forward and two (over a block that stays in cache) backward. Each (sample, group) block
/// is contiguous in NCHW, so blocks are independent and split over threads.
struct GroupNormKernel {
    let batch: Int
    let channels: Int
    let groups: Int
    /// H·W.
    let spatial: Int
    let silu: Bool

    var channelsPerGroup: Int { channels / groups }
    /// Elements per (sample, group) block.
    var groupSize: Int { channelsPerGroup * spatial }
    var blockCount: Int { batch * groups }

    /// Runs `body(block)` for every (sample, group) block, splitting them over threads so that each
    /// thread gets enough elements to be worth the hand-off.
    private func forEachBlock(_ body: (Int) -> Void) {
        let minimum = Swift.max(1, 32_768 / Swift.max(groupSize, 1))
        parallelChunks(blockCount, minimumPerThread: minimum) { range in
            for block in range { body(block) }
        }
    }

    /// Writes `output` and the statistics per block (`mean`, `inverseStd`, each `blockCount` long).
    func forward(
        x: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        gain: UnsafePointer<Float>, offset: UnsafePointer<Float>, epsilon: Float,
        mean: UnsafeMutablePointer<Float>, inverseStd: UnsafeMutablePointer<Float>
    ) {
        let hw = spatial, cpg = channelsPerGroup, size = groupSize, groups = self.groups
        let channels = self.channels, silu = self.silu
        guard size > 0 else { return }
        forEachBlock { block in
            let start = block * size
            let xb = x + start
            // Two passes (mean, then squared deviations) over a block that is in cache: exact
            // where a one-pass E[x²] − E[x]² would cancel.
            // Summing x − x₀ keeps the partial sums small when the mean is far from zero.
            let x0 = xb[0]
            let mu =
                x0
                + Float(
                    Self.chunkedSum(size) {
                        VectorReductions.sum(xb + $0, count: $1, center: x0)
                    } / Double(size))
            let squares = Self.chunkedSum(size) { VectorReductions.sumOfSquares(xb + $0, count: $1, center: mu) }
            let r = Float(1 / (squares / Double(size) + Double(epsilon)).squareRoot())
            mean[block] = mu
            inverseStd[block] = r
            let n = block / groups, g = block % groups
            for ch in 0..<cpg {
                let nc = n * channels + g * cpg + ch
                let a = r * gain[nc], b = offset[nc]
                let xs = xb + ch * hw, ys = output + start + ch * hw
                if silu {
                    for i in 0..<hw {
                        let h = (xs[i] - mu) * a + b
                        ys[i] = h / (1 + FastMath.exp(-h))
                    }
                } else {
                    for i in 0..<hw { ys[i] = (xs[i] - mu) * a + b }
                }
            }
        }
    }

    /// Back-propagates `gradOutput`. Writes `gradInput` when `needInput` (it is also scratch space
    /// for the SiLU-fused case, so it must always be given) and, per (sample, channel),
    /// `sumGradient` = Σ ∂L/∂h and `sumGradientNormalized` = Σ ∂L/∂h · x̂ — the gradients of
    /// `offset` and `gain`, from which the callers derive γ, β, scale and shift gradients.
    func backward(
        x: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>, needInput: Bool,
        gain: UnsafePointer<Float>, offset: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        sumGradient: UnsafeMutablePointer<Float>, sumGradientNormalized: UnsafeMutablePointer<Float>
    ) {
        let hw = spatial, cpg = channelsPerGroup, size = groupSize, groups = self.groups
        let channels = self.channels, silu = self.silu
        guard size > 0 else { return }
        forEachBlock { block in
            let start = block * size
            let mu = mean[block], r = inverseStd[block]
            let n = block / groups, g = block % groups
            let firstChannel = n * channels + g * cpg
            // ∂L/∂h: the incoming gradient, or (fused) the gradient through SiLU, recomputing h
            // from x rather than storing it.
            let dh: UnsafePointer<Float> = silu ? UnsafePointer(gradInput + start) : gradOutput + start
            var sumDxhat = 0.0, sumDxhatXhat = 0.0
            for ch in 0..<cpg {
                let nc = firstChannel + ch
                let xs = x + start + ch * hw
                if silu {
                    let a = r * gain[nc], b = offset[nc]
                    let gy = gradOutput + start + ch * hw, d = gradInput + start + ch * hw
                    for i in 0..<hw {
                        let h = (xs[i] - mu) * a + b
                        let s = 1 / (1 + FastMath.exp(-h))
                        d[i] = gy[i] * s * (1 + h * (1 - s))
                    }
                }
                let sums = Self.chunkedPair(hw) {
                    VectorReductions.sumAndCenteredDot(dh + ch * hw + $0, xs + $0, count: $1, center: mu)
                }
                let sumNormalized = r * Float(sums.1)
                sumGradient[nc] = Float(sums.0)
                sumGradientNormalized[nc] = sumNormalized
                sumDxhat += Double(gain[nc]) * sums.0
                sumDxhatXhat += Double(gain[nc]) * Double(sumNormalized)
            }
            guard needInput else { return }
            // dx = r · (∂x̂ − mean(∂x̂) − x̂ · mean(∂x̂ · x̂)), with ∂x̂ = gain · ∂h.
            let m1 = Float(sumDxhat / Double(size)), m2 = Float(sumDxhatXhat / Double(size))
            let k2 = -r * r * m2, k3 = -r * m1
            for ch in 0..<cpg {
                let k1 = r * gain[firstChannel + ch]
                let xs = x + start + ch * hw, d = gradInput + start + ch * hw
                if silu {
                    // ∂h is already in d: update it in place through one pointer, or the compiler's
                    // overlap check (d == ∂h) sends the loop down its scalar path.
                    for i in 0..<hw { d[i] = k1 * d[i] + k2 * (xs[i] - mu) + k3 }
                } else {
                    let gs = gradOutput + start + ch * hw
                    for i in 0..<hw { d[i] = k1 * gs[i] + k2 * (xs[i] - mu) + k3 }
                }
            }
        }
    }

    /// Sums `part(offset, length)` over chunks of 4096 in Double, so long runs keep their precision.
    @inline(__always)
    static func chunkedSum(_ count: Int, _ part: (Int, Int) -> Float) -> Double {
        var total = 0.0
        var i = 0
        while i < count {
            let length = Swift.min(4096, count - i)
            total += Double(part(i, length))
            i += length
        }
        return total
    }

    @inline(__always)
    static func chunkedPair(_ count: Int, _ part: (Int, Int) -> (Float, Float)) -> (Double, Double) {
        var total = (0.0, 0.0)
        var i = 0
        while i < count {
            let length = Swift.min(4096, count - i)
            let p = part(i, length)
            total.0 += Double(p.0)
            total.1 += Double(p.1)
            i += length
        }
        return total
    }
}
