import Foundation

/// Which formula `gelu` uses, as PyTorch's `approximate` argument.
public enum GELUApproximation: Sendable {
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) — PyTorch's `approximate='tanh'`.
    case tanh
    /// 0.5·x·(1 + erf(x/√2)) — PyTorch's default `approximate='none'` (slower: no vectorised erf).
    case exact
}

extension Variable {
    /// Gaussian error linear unit; the tanh approximation by default.
    public func gelu(_ approximation: GELUApproximation = .tanh) -> Variable {
        let x = value
        let out = Tensor(uninitializedShape: x.shape)
        let xp = x.unsafePointer, yp = out.unsafePointer
        switch approximation {
        case .tanh:
            parallelChunks(x.count) { range in
                for i in range {
                    let v = xp[i]
                    let t = FastMath.tanh(GELUConstants.k * (v + GELUConstants.c * v * v * v))
                    yp[i] = 0.5 * v * (1 + t)
                }
            }
        case .exact:
            parallelChunks(x.count) { range in
                for i in range { yp[i] = 0.5 * xp[i] * (1 + Foundation.erf(xp[i] * GELUConstants.inverseSqrt2)) }
            }
        }
        return Variable.result(out, operation: "gelu", inputs: [self]) { g in
            let dx = Tensor(uninitializedShape: x.shape)
            let gp = g.unsafePointer, dp = dx.unsafePointer, xp = x.unsafePointer
            switch approximation {
            case .tanh:
                parallelChunks(x.count) { range in
                    for i in range {
                        let v = xp[i], v2 = v * v
                        let t = FastMath.tanh(GELUConstants.k * (v + GELUConstants.c * v2 * v))
                        let du = GELUConstants.k * (1 + 3 * GELUConstants.c * v2)
                        dp[i] = gp[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du)
                    }
                }
            case .exact:
                parallelChunks(x.count) { range in
                    for i in range {
                        let v = xp[i]
                        let cdf = 0.5 * (1 + Foundation.erf(v * GELUConstants.inverseSqrt2))
                        let pdf = Foundation.exp(-0.5 * v * v) * GELUConstants.inverseSqrt2Pi
                        dp[i] = gp[i] * (cdf + v * pdf)
                    }
                }
            }
            return [dx]
        }
    }
}

/// Computed constants (not stored `static let`s), so hot loops see literals and need no lazy-initialisation check.
enum GELUConstants {
    /// √(2/π).
    @inline(__always) static var k: Float { 0.797_884_560_802_865_4 }
    @inline(__always) static var c: Float { 0.044_715 }
    @inline(__always) static var inverseSqrt2: Float { 0.707_106_781_186_547_5 }
    /// 1/√(2π).
    @inline(__always) static var inverseSqrt2Pi: Float { 0.398_942_280_401_432_7 }
}
