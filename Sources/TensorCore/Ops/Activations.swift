/// Pointwise activations. Each keeps what its derivative needs (input or output) and
/// computes the gradient in one fused pass.
extension Variable {
    /// x · sigmoid(x).
    public func silu() -> Variable {
        let x = value
        let out = x.map { v in v * FastMath.sigmoid(v) }
        return Variable.result(out, operation: "silu", inputs: [self]) { g in
            [
                x.zipMap(g) { v, gv in
                    let s = FastMath.sigmoid(v)
                    return gv * s * (1 + v * (1 - s))
                }
            ]
        }
    }

    public func sigmoid() -> Variable {
        let out = value.map { FastMath.sigmoid($0) }
        return Variable.result(out, operation: "sigmoid", inputs: [self]) { g in
            [out.zipMap(g) { s, gv in gv * s * (1 - s) }]
        }
    }

    public func tanh() -> Variable {
        let out = value.map { FastMath.tanh($0) }
        return Variable.result(out, operation: "tanh", inputs: [self]) { g in
            [out.zipMap(g) { y, gv in gv * (1 - y * y) }]
        }
    }
}
