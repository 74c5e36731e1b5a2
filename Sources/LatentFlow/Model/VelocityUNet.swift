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
    // MARK: Step-size conditioning (few-step models, see FewStep/)
    /// true: the network also takes the step size d of a few-step sampler (`StepSizeEmbedding`).
    /// Optional so that it is absent from the JSON of every other model (nil: no such input),
    /// which keeps existing model files and their metadata as they are.
    public var stepSizeConditioned: Bool?
    // MARK: -

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
/// Layer for layer (and name for name) the reference `UNet` of `../shared/bench`.
public final class VelocityUNet: Module {
    enum DownStep { case residual(ResidualBlock), attention(SelfAttention2d), downsample(Conv2d) }
    enum UpStep { case residual(ResidualBlock), attention(SelfAttention2d), upsample, conv(Conv2d) }

    public let config: UNetConfig
    let tmlp0: Linear, tmlp2: Linear
    let cemb: Embedding
    let inp: Conv2d
    let downs: [DownStep]
    let mid: (ResidualBlock, SelfAttention2d, ResidualBlock)
    let ups: [UpStep]
    let outNorm: GroupNorm, outConv: Conv2d
    // MARK: Step-size conditioning (few-step models, see FewStep/)
    /// Present only when `config.stepSizeConditioned` is true.
    let stepEmbedding: StepSizeEmbedding?
    // MARK: -

    /// The class id that means "unconditional".
    public var nullClass: Int { config.classCount }

    public init(_ config: UNetConfig, generator: inout SeededGenerator) {
        self.config = config
        let base = config.base, te = config.embeddingWidth
        tmlp0 = Linear(base, te, generator: &generator)
        tmlp2 = Linear(te, te, generator: &generator)
        cemb = Embedding(count: config.classCount + 1, dimension: te, generator: &generator)
        inp = Conv2d(config.channels, base, kernelSize: 3, padding: 1, generator: &generator)

        let widths = config.multipliers.map { base * $0 }
        let attentionFrom = widths.count - config.attentionLevels
        var skips = [base]
        var c = base
        var downs: [DownStep] = []
        for (i, co) in widths.enumerated() {
            for _ in 0..<2 {
                downs.append(.residual(ResidualBlock(c, co, embeddingWidth: te, generator: &generator)))
                c = co
                skips.append(c)
                if i >= attentionFrom { downs.append(.attention(SelfAttention2d(c, generator: &generator))) }
            }
            if i < widths.count - 1 {
                downs.append(.downsample(Conv2d(c, c, kernelSize: 3, stride: 2, padding: 1, generator: &generator)))
                skips.append(c)
            }
        }
        mid = (ResidualBlock(c, c, embeddingWidth: te, generator: &generator),
               SelfAttention2d(c, generator: &generator),
               ResidualBlock(c, c, embeddingWidth: te, generator: &generator))
        var ups: [UpStep] = []
        for (i, co) in widths.enumerated().reversed() {
            for _ in 0..<3 {
                ups.append(.residual(ResidualBlock(c + skips.removeLast(), co, embeddingWidth: te, generator: &generator)))
                c = co
                if i >= attentionFrom { ups.append(.attention(SelfAttention2d(c, generator: &generator))) }
            }
            if i > 0 {
                ups += [.upsample, .conv(Conv2d(c, c, kernelSize: 3, padding: 1, generator: &generator))]
            }
        }
        outNorm = GroupNorm.standard(channels: c)
        outConv = Conv2d(c, config.channels, kernelSize: 3, padding: 1, generator: &generator)
        self.downs = downs
        self.ups = ups
        // MARK: Step-size conditioning: built last, so the other modules' initial weights do not change.
        stepEmbedding = config.stepSizeConditioned == true
            ? StepSizeEmbedding(base: base, width: te, generator: &generator) : nil
        // MARK: -
        super.init()

        register("tmlp.0", tmlp0)
        register("tmlp.2", tmlp2)
        register("cemb", cemb)
        register("inp", inp)
        for (i, step) in downs.enumerated() {
            switch step {
            case .residual(let m): register("downs.\(i)", m)
            case .attention(let m): register("downs.\(i)", m)
            case .downsample(let m): register("downs.\(i)", m)
            }
        }
        register("mid.0", mid.0)
        register("mid.1", mid.1)
        register("mid.2", mid.2)
        for (i, step) in ups.enumerated() {
            switch step {
            case .residual(let m): register("ups.\(i)", m)
            case .attention(let m): register("ups.\(i)", m)
            case .conv(let m): register("ups.\(i)", m)
            case .upsample: break
            }
        }
        register("out.0", outNorm)
        register("out.2", outConv)
        if let stepEmbedding { register(StepSizeEmbedding.stateName, stepEmbedding) }  // step-size conditioning
    }

    /// The conditioning embedding: MLP of the sinusoidal time features plus the class row
    /// (plus, for a step-size-conditioned network, the step sizes' embedding).
    func embedding(times: [Float], classes: [Int], stepSizes: [Float]? = nil) -> Variable {
        let features = Variable(sinusoidalTimeEmbedding(times, dimension: config.base))
        let e = tmlp2(tmlp0(features).silu()) + cemb(classes)
        // MARK: Step-size conditioning: d = 0 (the instantaneous velocity) unless given.
        guard let stepEmbedding else { return e }
        return e + stepEmbedding(stepSizes ?? Array(repeating: 0, count: times.count))
    }

    /// Velocity at state `x` [N, C, H, W], times `t` (N values in [0, 1]) and class ids
    /// (`nullClass` for unconditional). `stepSizes` (N values) only for a network conditioned
    /// on the step size (`UNetConfig.stepSizeConditioned`); nil there means d = 0.
    public func callAsFunction(_ x: Variable, times: [Float], classes: [Int], stepSizes: [Float]? = nil) -> Variable {
        precondition(times.count == x.shape[0] && classes.count == x.shape[0],
                     "VelocityUNet: \(x.shape[0]) samples but \(times.count) times and \(classes.count) classes")
        precondition(stepSizes == nil || (stepEmbedding != nil && stepSizes!.count == x.shape[0]),
                     "VelocityUNet: step sizes for a network that is not conditioned on them, or not one per sample")
        let e = embedding(times: times, classes: classes, stepSizes: stepSizes)
        var h = inp(x)
        var skips = [h]
        for step in downs {
            switch step {
            case .residual(let m): h = m(h, embedding: e); skips.append(h)
            case .attention(let m): h = m(h); skips[skips.count - 1] = h
            case .downsample(let m): h = m(h); skips.append(h)
            }
        }
        h = mid.2(mid.1(mid.0(h, embedding: e)), embedding: e)
        for step in ups {
            switch step {
            case .residual(let m): h = m(concatChannels([h, skips.removeLast()]), embedding: e)
            case .attention(let m): h = m(h)
            case .upsample: h = upsampleNearest2x(h)
            case .conv(let m): h = m(h)
            }
        }
        return outConv(outNorm.fusedSiLU(h))
    }
}
