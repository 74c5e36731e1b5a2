/// The residual block of the benchmark networks and the models built on them:
/// `h = conv3x3(silu(GN(x)))`, `h = GN(h)`, optionally `h = h·(1+scale) + shift` with
/// `scale, shift = split(linear(silu(e)))` from a conditioning embedding `e`,
/// then `conv3x3(silu(h)) + skip(x)` where skip is a 1×1 conv when the width changes.
/// State-dict keys follow the PyTorch reference: n1, c1, n2, c2, skip, t.
public final class ResidualBlock: Module {
    public let norm1: GroupNorm
    public let conv1: Conv2d
    public let norm2: GroupNorm
    public let conv2: Conv2d
    /// The 1×1 convolution that brings `x` to the output width; nil when the widths agree.
    public let skip: Conv2d?
    /// Projects the conditioning embedding to [scale | shift] of `norm2`'s output; nil without one.
    public let modulation: Linear?
    public let outChannels: Int

    /// - Parameter groups: group count of both norms; nil for the reference's `GN(c)` rule.
    public init(
        _ inChannels: Int, _ outChannels: Int, embeddingWidth: Int = 0, groups: Int? = nil,
        generator: inout SeededGenerator
    ) {
        self.outChannels = outChannels
        norm1 = groups.map { GroupNorm(groups: $0, channels: inChannels) } ?? GroupNorm.standard(channels: inChannels)
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, padding: 1, generator: &generator)
        norm2 = groups.map { GroupNorm(groups: $0, channels: outChannels) } ?? GroupNorm.standard(channels: outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, generator: &generator)
        skip =
            inChannels != outChannels
            ? Conv2d(inChannels, outChannels, kernelSize: 1, generator: &generator) : nil
        modulation = embeddingWidth > 0 ? Linear(embeddingWidth, 2 * outChannels, generator: &generator) : nil
        super.init()
        register(norm1, as: "n1")
        register(conv1, as: "c1")
        register(norm2, as: "n2")
        register(conv2, as: "c2")
        if let skip { register(skip, as: "skip") }
        if let modulation { register(modulation, as: "t") }
    }

    public func callAsFunction(_ x: Variable, embedding e: Variable? = nil) -> Variable {
        var h = conv1(norm1.fusedSiLU(x))
        if let modulation {
            guard let e else { preconditionFailure("ResidualBlock: this block needs a conditioning embedding") }
            // [N, 2C]: the first half scales, the second shifts (PyTorch's chunk(2, 1)).
            h = norm2.fusedScaleShiftSiLU(h, modulation: modulation(e.silu()))
        } else {
            h = norm2.fusedSiLU(h)
        }
        return conv2(h, adding: skip.map { $0(x) } ?? x)
    }
}

extension GroupNorm {
    /// `GN(c)` of the reference networks: min(8, c/4) groups, 1 group below 8 channels.
    public static func standard(channels: Int) -> GroupNorm {
        GroupNorm(groups: channels >= 8 ? min(8, channels / 4) : 1, channels: channels)
    }
}
