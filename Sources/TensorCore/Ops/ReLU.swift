extension Variable {
    /// max(x, 0); the gradient passes where the output is positive (zero at x = 0, as PyTorch).
    public func relu() -> Variable {
        let x = value
        let out = Tensor(uninitializedShape: x.shape)
        let xp = x.unsafePointer, yp = out.unsafePointer
        parallelChunks(x.count) { range in for i in range { yp[i] = Swift.max(xp[i], 0) } }
        return Variable.result(out, operation: "relu", inputs: [self]) { g in
            let dx = Tensor(uninitializedShape: out.shape)
            let gp = g.unsafePointer, dp = dx.unsafePointer, yp = out.unsafePointer
            parallelChunks(out.count) { range in for i in range { dp[i] = yp[i] > 0 ? gp[i] : 0 } }
            return [dx]
        }
    }
}
