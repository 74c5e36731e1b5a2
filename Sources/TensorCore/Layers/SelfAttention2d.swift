/// Single- or multi-head self-attention over the H·W positions of a feature map, with a
/// residual connection: `qkv = conv1x1(GN(x))` (channels ordered q, k, v),
/// `a = softmax(q kᵀ/√d) v`, return `x + conv1x1(a)`. State-dict keys follow the reference: n, qkv, o.
public final class SelfAttention2d: Module {
    public let norm: GroupNorm
    /// Queries, keys and values of every head in one 1×1 convolution.
    public let queryKeyValue: Conv2d
    public let outputProjection: Conv2d
    public let heads: Int

    public init(_ channels: Int, heads: Int = 1, generator: inout SeededGenerator) {
        precondition(channels % heads == 0, "SelfAttention2d: \(channels) channels do not split into \(heads) heads")
        self.heads = heads
        norm = GroupNorm.standard(channels: channels)
        queryKeyValue = Conv2d(channels, 3 * channels, kernelSize: 1, generator: &generator)
        outputProjection = Conv2d(channels, channels, kernelSize: 1, generator: &generator)
        super.init()
        register(norm, as: "n")
        register(queryKeyValue, as: "qkv")
        register(outputProjection, as: "o")
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        outputProjection(spatialSelfAttention(queryKeyValue(norm(x)), heads: heads), adding: x)
    }
}
