/// One step of a `Sequential`: a module with parameters, or a parameter-free function.
/// Every step takes an index, as in PyTorch's `nn.Sequential`, so parameter names
/// (`enc.4.c1.weight`) match the reference even around parameter-free steps.
public enum SequentialStep {
    case conv(Conv2d)
    case residual(ResidualBlock)
    case attention(SelfAttention2d)
    case groupNorm(GroupNorm)
    case linear(Linear)
    case silu
    case upsampleNearest2x
    case pixelShuffle(Int)
    case pixelUnshuffle(Int)

    var module: Module? {
        switch self {
        case .conv(let m): return m
        case .residual(let m): return m
        case .attention(let m): return m
        case .groupNorm(let m): return m
        case .linear(let m): return m
        case .silu, .upsampleNearest2x, .pixelShuffle, .pixelUnshuffle: return nil
        }
    }

    func apply(_ x: Variable) -> Variable {
        switch self {
        case .conv(let m): return m(x)
        case .residual(let m): return m(x)
        case .attention(let m): return m(x)
        case .groupNorm(let m): return m(x)
        case .linear(let m): return m(x)
        case .silu: return x.silu()
        case .upsampleNearest2x: return TensorCore.upsampleNearest2x(x)
        case .pixelShuffle(let f): return TensorCore.pixelShuffle(x, factor: f)
        case .pixelUnshuffle(let f): return TensorCore.pixelUnshuffle(x, factor: f)
        }
    }
}

/// `nn.Sequential`: steps applied in order, children named by their index.
public final class Sequential: Module {
    public let steps: [SequentialStep]

    public init(_ steps: [SequentialStep]) {
        self.steps = steps
        super.init()
        for (index, step) in steps.enumerated() {
            if let module = step.module { register(module, as: String(index)) }
        }
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        var index = 0
        while index < steps.count {
            // A GroupNorm directly followed by SiLU runs as one fused pass (same values, half the memory traffic).
            if case .groupNorm(let norm) = steps[index], index + 1 < steps.count, case .silu = steps[index + 1] {
                h = norm.fusedSiLU(h)
                index += 2
                continue
            }
            h = steps[index].apply(h)
            index += 1
        }
        return h
    }
}
