/// Single- or multi-head self-attention over the H·W positions of a feature map, with a
/// residual connection: `qkv = conv1x1(GN(x))` (channels ordered q, k, v),
/// `a = softmax(q kᵀ/√d) v`, return `x + conv1x1(a)`. Names follow the reference: n, qkv, o.
public final class SelfAttention2d: Module {
    public let n: GroupNorm
    public let qkv: Conv2d
    public let o: Conv2d
    public let heads: Int

    public init(_ channels: Int, heads: Int = 1, generator: inout SeededGenerator) {
        precondition(channels % heads == 0, "SelfAttention2d: \(channels) channels do not split into \(heads) heads")
        self.heads = heads
        n = GroupNorm.standard(channels: channels)
        qkv = Conv2d(channels, 3 * channels, kernelSize: 1, generator: &generator)
        o = Conv2d(channels, channels, kernelSize: 1, generator: &generator)
        super.init()
        register("n", n)
        register("qkv", qkv)
        register("o", o)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        o(spatialSelfAttention(qkv(n(x)), heads: heads), adding: x)
    }
}
