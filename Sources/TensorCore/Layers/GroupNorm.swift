/// `nn.GroupNorm(groups, channels, eps)`: parameters `weight` (ones) and `bias` (zeros), [C] each.
/// Besides the plain call it offers the fused forms used by ResBlocks, which give the same
/// values as composing the separate ops but touch the activation fewer times.
public final class GroupNorm: Module {
    public let groups: Int
    public let channels: Int
    public let epsilon: Float
    public let weight: Variable
    public let bias: Variable

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
        precondition(
            groups > 0 && channels % groups == 0,
            "GroupNorm: \(channels) channels cannot be split into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        weight = Variable(parameter: Tensor(shape: [channels], repeating: 1))
        bias = Variable(parameter: Tensor(zeros: [channels]))
        super.init()
        registerParameter(weight, as: "weight")
        registerParameter(bias, as: "bias")
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }

    /// `silu(self(x))`, fused.
    public func fusedSiLU(_ x: Variable) -> Variable {
        groupNormSiLU(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }

    /// `silu(self(x) · (1 + scale) + shift)`, fused; scale and shift are [N, C] or [N, C, 1, 1].
    public func fusedScaleShiftSiLU(_ x: Variable, scale: Variable, shift: Variable) -> Variable {
        groupNormScaleShift(
            x, groups: groups, weight: weight, bias: bias, scale: scale, shift: shift,
            silu: true, epsilon: epsilon)
    }

    /// `silu(self(x) · (1 + scale) + shift)`, fused, with [scale | shift] as one [N, 2C] tensor.
    public func fusedScaleShiftSiLU(_ x: Variable, modulation: Variable) -> Variable {
        groupNormScaleShift(
            x, groups: groups, weight: weight, bias: bias, modulation: modulation,
            silu: true, epsilon: epsilon)
    }
}
