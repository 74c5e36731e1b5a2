import TensorCore

/// Shape of the convolutional autoencoder: how the image is folded (pixel-unshuffle stem),
/// how wide each resolution level is, and how many residual blocks each level gets.
/// The default is the `aelite` benchmark network: 128×128×3 → 16×16×4 with 2.52 M parameters.
public struct AutoencoderConfig: Codable, Equatable, Sendable {
    public var imageChannels = 3
    public var latentChannels = 4
    /// Pixel-unshuffle factor of the stem (1 = none).
    public var stemFactor = 2
    /// Channel width per level; each level after the first halves the resolution.
    public var widths = [64, 128, 128]
    public var blocksPerLevel = 1
    /// Self-attention at the lowest resolution (between two residual blocks).
    public var attention = true

    public init() {}

    /// Total downsampling from image to latent.
    public var downsampling: Int { stemFactor << (widths.count - 1) }

    /// The same network with every width multiplied by `scale`, rounded to a multiple of 8
    /// (at least 8) so that the group norms divide evenly: 0.125 makes the tiny test network.
    public func scaled(widths scale: Double) -> AutoencoderConfig {
        var copy = self
        copy.widths = widths.map { max(8, Int((Double($0) * scale / 8).rounded()) * 8) }
        return copy
    }

    /// The problems of this configuration, empty when it is usable.
    public var problems: [String] {
        var result: [String] = []
        if imageChannels < 1 { result.append("image channels must be at least 1, got \(imageChannels)") }
        if latentChannels < 1 { result.append("latent channels must be at least 1, got \(latentChannels)") }
        if stemFactor < 1 { result.append("stem factor must be at least 1, got \(stemFactor)") }
        if widths.isEmpty { result.append("widths must not be empty") }
        if let bad = widths.first(where: { $0 < 1 || ($0 >= 8 && $0 % min(8, $0 / 4) != 0) }) {
            result.append("width \(bad) cannot be split into its group-norm groups (use a multiple of 8)")
        }
        if blocksPerLevel < 0 { result.append("blocks per level must be non-negative, got \(blocksPerLevel)") }
        return result
    }
}

/// Encoder and decoder as two `Sequential` stacks under the state-dict keys `enc` and `dec`, layer
/// for layer the reference `AELite` for the default configuration (so checkpoints and exports line up).
public final class ConvAutoencoder: Module {
    public let config: AutoencoderConfig
    public let encoder: Sequential
    public let decoder: Sequential

    public init(_ config: AutoencoderConfig = AutoencoderConfig(), generator: inout SeededGenerator) {
        self.config = config
        let widths = config.widths
        let stemChannels = config.imageChannels * config.stemFactor * config.stemFactor
        var encoderSteps: [SequentialStep] = []
        if config.stemFactor > 1 { encoderSteps.append(.pixelUnshuffle(config.stemFactor)) }
        encoderSteps.append(.conv(Conv2d(stemChannels, widths[0], kernelSize: 3, padding: 1, generator: &generator)))
        for level in widths.indices {
            for _ in 0..<config.blocksPerLevel {
                encoderSteps.append(.residual(ResidualBlock(widths[level], widths[level], generator: &generator)))
            }
            if level < widths.count - 1 {
                encoderSteps.append(
                    .conv(
                        Conv2d(
                            widths[level], widths[level + 1], kernelSize: 3, stride: 2, padding: 1,
                            generator: &generator)))
            }
        }
        let last = widths[widths.count - 1]
        if config.attention { encoderSteps.append(.attention(SelfAttention2d(last, generator: &generator))) }
        encoderSteps.append(.residual(ResidualBlock(last, last, generator: &generator)))
        encoderSteps += [
            .groupNorm(GroupNorm.standard(channels: last)), .silu,
            .conv(Conv2d(last, config.latentChannels, kernelSize: 3, padding: 1, generator: &generator)),
        ]

        var decoderSteps: [SequentialStep] = [
            .conv(Conv2d(config.latentChannels, last, kernelSize: 3, padding: 1, generator: &generator)),
            .residual(ResidualBlock(last, last, generator: &generator)),
        ]
        if config.attention { decoderSteps.append(.attention(SelfAttention2d(last, generator: &generator))) }
        for level in widths.indices.reversed() {
            for _ in 0..<config.blocksPerLevel {
                decoderSteps.append(.residual(ResidualBlock(widths[level], widths[level], generator: &generator)))
            }
            if level > 0 {
                decoderSteps += [
                    .upsampleNearest2x,
                    .conv(Conv2d(widths[level], widths[level - 1], kernelSize: 3, padding: 1, generator: &generator)),
                ]
            }
        }
        decoderSteps += [
            .groupNorm(GroupNorm.standard(channels: widths[0])), .silu,
            .conv(Conv2d(widths[0], stemChannels, kernelSize: 3, padding: 1, generator: &generator)),
        ]
        if config.stemFactor > 1 { decoderSteps.append(.pixelShuffle(config.stemFactor)) }

        encoder = Sequential(encoderSteps)
        decoder = Sequential(decoderSteps)
        super.init()
        register(encoder, as: "enc")
        register(decoder, as: "dec")
    }

    public func encode(_ images: Variable) -> Variable { encoder(images) }
    public func decode(_ latents: Variable) -> Variable { decoder(latents) }
    public func callAsFunction(_ images: Variable) -> Variable { decoder(encoder(images)) }
}
