import TensorCore

extension Tensor {
    /// base + Σ cᵢ·tᵢ elementwise into a new tensor: the one operation ODE solvers are made of.
    static func combination(_ base: Tensor, _ terms: [(Float, Tensor)]) -> Tensor {
        for (_, t) in terms {
            precondition(t.count == base.count, "combination: \(t.shape) and \(base.shape) differ")
        }
        let out = Tensor(uninitializedShape: base.shape)
        let d = out.unsafePointer, b = base.unsafePointer
        let coefficients = terms.map(\.0)
        let pointers = terms.map { $0.1.unsafePointer }
        parallelChunks(base.count) { range in
            for i in range { d[i] = b[i] }
            for (c, p) in zip(coefficients, pointers) where c != 0 {
                for i in range { d[i] += c * p[i] }
            }
        }
        return out
    }
}
