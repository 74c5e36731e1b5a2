import TensorCore

/// Shape of the flow-matching UNet. `latent` is the `latent-unet` benchmark network
/// (7.31 M parameters on 16×16×4), `pixel` the `pixel-unet` one (26.8 M on 128×128×3).
public struct UNetConfig: Codable, Equatable, Sendable {
    public var channels: Int
    public var base: Int
    public var multipliers: [Int]
    public var classCount: Int
    /// Self-attention after the residual blocks of this many lowest-resolution levels.
    public var attentionLevels: Int
    /// Few-step models (`FewStep/`): true, the network also takes the step size d of a few-step
    /// sampler (`StepSizeEmbedding`). Optional so that it is absent from the JSON of every other
    /// model (nil: no such input), which keeps existing model files and their metadata as they are.
    public var stepSizeConditioned: Bool?

    public init(channels: Int, base: Int, multipliers: [Int], classCount: Int = 102, attentionLevels: Int = 2) {
        self.channels = channels
        self.base = base
        self.multipliers = multipliers
        self.classCount = classCount
        self.attentionLevels = attentionLevels
    }

    public static let latent = UNetConfig(channels: 4, base: 64, multipliers: [1, 2, 2])
    public static let pixel = UNetConfig(channels: 3, base: 32, multipliers: [1, 2, 4, 8, 8])

    public var embeddingWidth: Int { 4 * base }
}

/// The velocity model v(x, t, class): a UNet with a sinusoidal time embedding plus a learned
/// class embedding whose last row means "no class" (for classifier-free guidance), residual
/// blocks modulated by that embedding, and self-attention at the low resolutions.
/// Layer for layer (and state-dict key for key) the reference `UNet` of `../shared/bench`.
public final class VelocityUNet: Module {
    enum DownStep {
        case residual(ResidualBlock)
        case attention(SelfAttention2d)
        case downsample(Conv2d)

        var module: Module {
            switch self {
            case .residual(let m): return m
            case .attention(let m): return m
            case .downsample(let m): return m
            }
        }
    }

    enum UpStep {
        case residual(ResidualBlock)
        case attention(SelfAttention2d)
        case upsample
        case conv(Conv2d)

        /// nil for the parameter-free upsampling, which still takes an index of `ups`.
        var module: Module? {
            switch self {
            case .residual(let m): return m
            case .attention(let m): return m
            case .conv(let m): return m
            case .upsample: return nil
            }
        }
    }

    public let config: UNetConfig
    /// The time MLP (`tmlp`): sinusoidal features → embedding width, SiLU, → embedding width.
    let timeMLPInput: Linear, timeMLPOutput: Linear
    let classEmbedding: Embedding
    let inputConv: Conv2d
    /// The contracting path: residual blocks (each followed by attention on the low levels) and
    /// a stride-2 convolution between levels.
    let downSteps: [DownStep]
    /// The bottleneck: residual block, attention, residual block.
    let middleBlock1: ResidualBlock, middleAttention: SelfAttention2d, middleBlock2: ResidualBlock
    /// The expanding path: residual blocks taking the matching skip, attention on the low
    /// levels, nearest upsampling and a convolution between levels.
    let upSteps: [UpStep]
    let outputNorm: GroupNorm, outputConv: Conv2d
    /// The step-size embedding of a few-step model (`FewStep/`); nil unless
    /// `config.stepSizeConditioned`, so other models keep their keys and outputs.
    let stepEmbedding: StepSizeEmbedding?

    /// The class id that means "unconditional".
    public var nullClass: Int { config.classCount }

    public init(_ config: UNetConfig, generator: inout SeededGenerator) {
        self.config = config
        let base = config.base, embeddingWidth = config.embeddingWidth
        timeMLPInput = Linear(base, embeddingWidth, generator: &generator)
        timeMLPOutput = Linear(embeddingWidth, embeddingWidth, generator: &generator)
        classEmbedding = Embedding(count: config.classCount + 1, dimension: embeddingWidth, generator: &generator)
        inputConv = Conv2d(config.channels, base, kernelSize: 3, padding: 1, generator: &generator)

        let levelWidths = config.multipliers.map { base * $0 }
        let firstAttentionLevel = levelWidths.count - config.attentionLevels
        var skipWidths = [base]
        var width = base
        var downSteps: [DownStep] = []
        for (level, levelWidth) in levelWidths.enumerated() {
            for _ in 0..<2 {
                downSteps.append(
                    .residual(ResidualBlock(width, levelWidth, embeddingWidth: embeddingWidth, generator: &generator)))
                width = levelWidth
                skipWidths.append(width)
                if level >= firstAttentionLevel {
                    downSteps.append(.attention(SelfAttention2d(width, generator: &generator)))
                }
            }
            if level < levelWidths.count - 1 {
                downSteps.append(
                    .downsample(Conv2d(width, width, kernelSize: 3, stride: 2, padding: 1, generator: &generator)))
                skipWidths.append(width)
            }
        }
        middleBlock1 = ResidualBlock(width, width, embeddingWidth: embeddingWidth, generator: &generator)
        middleAttention = SelfAttention2d(width, generator: &generator)
        middleBlock2 = ResidualBlock(width, width, embeddingWidth: embeddingWidth, generator: &generator)
        var upSteps: [UpStep] = []
        for (level, levelWidth) in levelWidths.enumerated().reversed() {
            for _ in 0..<3 {
                upSteps.append(
                    .residual(
                        ResidualBlock(
                            width + skipWidths.removeLast(), levelWidth,
                            embeddingWidth: embeddingWidth, generator: &generator)))
                width = levelWidth
                if level >= firstAttentionLevel {
                    upSteps.append(.attention(SelfAttention2d(width, generator: &generator)))
                }
            }
            if level > 0 {
                upSteps += [.upsample, .conv(Conv2d(width, width, kernelSize: 3, padding: 1, generator: &generator))]
            }
        }
        outputNorm = GroupNorm.standard(channels: width)
        outputConv = Conv2d(width, config.channels, kernelSize: 3, padding: 1, generator: &generator)
        self.downSteps = downSteps
        self.upSteps = upSteps
        // Built last, so that the other modules' initial weights do not change.
        stepEmbedding =
            config.stepSizeConditioned == true
            ? StepSizeEmbedding(base: base, width: embeddingWidth, generator: &generator) : nil
        super.init()

        // The reference's keys: tmlp = Sequential(Linear, SiLU, Linear), out = Sequential(GN, SiLU, Conv).
        register(timeMLPInput, as: "tmlp.0")
        register(timeMLPOutput, as: "tmlp.2")
        register(classEmbedding, as: "cemb")
        register(inputConv, as: "inp")
        for (index, step) in downSteps.enumerated() { register(step.module, as: "downs.\(index)") }
        register(middleBlock1, as: "mid.0")
        register(middleAttention, as: "mid.1")
        register(middleBlock2, as: "mid.2")
        for (index, step) in upSteps.enumerated() {
            if let module = step.module { register(module, as: "ups.\(index)") }
        }
        register(outputNorm, as: "out.0")
        register(outputConv, as: "out.2")
        if let stepEmbedding { register(stepEmbedding, as: StepSizeEmbedding.stateName) }
    }

    /// The conditioning embedding: MLP of the sinusoidal time features plus the class row
    /// (plus, for a step-size-conditioned network, the step sizes' embedding).
    func embedding(times: [Float], classes: [Int], stepSizes: [Float]? = nil) -> Variable {
        let features = Variable(sinusoidalTimeEmbedding(times, dimension: config.base))
        let e = timeMLPOutput(timeMLPInput(features).silu()) + classEmbedding(classes)
        // A few-step model: d = 0 (the instantaneous velocity) unless given.
        guard let stepEmbedding else { return e }
        return e + stepEmbedding(stepSizes ?? Array(repeating: 0, count: times.count))
    }

    /// Velocity at state `x` [N, C, H, W], times `t` (N values in [0, 1]) and class ids
    /// (`nullClass` for unconditional). `stepSizes` (N values) only for a network conditioned
    /// on the step size (`UNetConfig.stepSizeConditioned`); nil there means d = 0.
    public func callAsFunction(_ x: Variable, times: [Float], classes: [Int], stepSizes: [Float]? = nil) -> Variable {
        precondition(
            times.count == x.shape[0] && classes.count == x.shape[0],
            "VelocityUNet: \(x.shape[0]) samples but \(times.count) times and \(classes.count) classes")
        precondition(
            stepSizes == nil || (stepEmbedding != nil && stepSizes!.count == x.shape[0]),
            "VelocityUNet: step sizes for a network that is not conditioned on them, or not one per sample")
        let e = embedding(times: times, classes: classes, stepSizes: stepSizes)
        var h = inputConv(x)
        var skips = [h]
        for step in downSteps {
            switch step {
            case .residual(let m):
                h = m(h, embedding: e)
                skips.append(h)
            case .attention(let m):
                h = m(h)
                skips[skips.count - 1] = h
            case .downsample(let m):
                h = m(h)
                skips.append(h)
            }
        }
        h = middleBlock2(middleAttention(middleBlock1(h, embedding: e)), embedding: e)
        for step in upSteps {
            switch step {
            case .residual(let m): h = m(concatChannels([h, skips.removeLast()]), embedding: e)
            case .attention(let m): h = m(h)
            case .upsample: h = upsampleNearest2x(h)
            case .conv(let m): h = m(h)
            }
        }
        return outputConv(outputNorm.fusedSiLU(h))
    }
}
