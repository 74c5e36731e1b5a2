/// The residual block of the benchmark networks and the models built on them:
/// `h = conv3x3(silu(GN(x)))`, `h = GN(h)`, optionally `h = h·(1+scale) + shift` with
/// `scale, shift = split(linear(silu(e)))` from a conditioning embedding `e`,
/// then `conv3x3(silu(h)) + skip(x)` where skip is a 1×1 conv when the width changes.
/// Parameter names follow the PyTorch reference: n1, c1, n2, c2, skip, t.
public final class ResidualBlock: Module {
    public let n1: GroupNorm
    public let c1: Conv2d
    public let n2: GroupNorm
    public let c2: Conv2d
    public let skip: Conv2d?
    public let t: Linear?
    public let outChannels: Int

    /// - Parameter groups: group count of both norms; nil for the reference's `GN(c)` rule.
    public init(_ inChannels: Int, _ outChannels: Int, embeddingWidth: Int = 0, groups: Int? = nil,
                generator: inout SeededGenerator) {
        self.outChannels = outChannels
        n1 = groups.map { GroupNorm(groups: $0, channels: inChannels) } ?? GroupNorm.standard(channels: inChannels)
        c1 = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, generator: &generator)
        n2 = groups.map { GroupNorm(groups: $0, channels: outChannels) } ?? GroupNorm.standard(channels: outChannels)
        c2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, generator: &generator)
        skip = inChannels != outChannels
            ? Conv2d(inChannels, outChannels, kernelSize: 1, generator: &generator) : nil
        t = embeddingWidth > 0 ? Linear(embeddingWidth, 2 * outChannels, generator: &generator) : nil
        super.init()
        register("n1", n1)
        register("c1", c1)
        register("n2", n2)
        register("c2", c2)
        if let skip { register("skip", skip) }
        if let t { register("t", t) }
    }

    public func callAsFunction(_ x: Variable, embedding e: Variable? = nil) -> Variable {
        var h = c1(n1.fusedSiLU(x))
        if let t {
            guard let e else { preconditionFailure("ResidualBlock: this block needs a conditioning embedding") }
            // [N, 2C]: the first half scales, the second shifts (PyTorch's chunk(2, 1)).
            h = n2.fusedScaleShiftSiLU(h, modulation: t(e.silu()))
        } else {
            h = n2.fusedSiLU(h)
        }
        return c2(h, adding: skip.map { $0(x) } ?? x)
    }
}

extension GroupNorm {
    /// `GN(c)` of the reference networks: min(8, c/4) groups, 1 group below 8 channels.
    public static func standard(channels: Int) -> GroupNorm {
        GroupNorm(groups: channels >= 8 ? min(8, channels / 4) : 1, channels: channels)
    }
}
