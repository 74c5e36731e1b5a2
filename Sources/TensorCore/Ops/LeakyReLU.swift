extension Variable {
    /// x for x > 0, else slope·x (PyTorch's `leaky_relu`); the gradient is 1 or `slope` likewise
    /// (`slope` at x = 0, as PyTorch). The activation of PatchGAN discriminators: unlike ReLU it
    /// keeps a gradient for the negative logits the generator most needs to move.
    public func leakyReLU(slope: Float = 0.2) -> Variable {
        let x = value
        let out = Tensor(uninitializedShape: x.shape)
        let xp = x.unsafePointer, yp = out.unsafePointer
        parallelChunks(x.count) { range in for i in range { yp[i] = xp[i] > 0 ? xp[i] : slope * xp[i] } }
        return Variable.result(out, operation: "leakyReLU", inputs: [self]) { g in
            let dx = Tensor(uninitializedShape: x.shape)
            let gp = g.unsafePointer, dp = dx.unsafePointer
            parallelChunks(x.count) { range in for i in range { dp[i] = xp[i] > 0 ? gp[i] : slope * gp[i] } }
            return [dx]
        }
    }
}
