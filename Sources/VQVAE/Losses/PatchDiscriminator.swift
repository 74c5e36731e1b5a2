import TensorCore

/// The widths of a `PatchDiscriminator`.
public struct PatchDiscriminatorConfig: Codable, Equatable, Sendable {
    /// Channels of the first layer; each further stride-2 layer doubles them.
    public var base = 32
    /// Stride-2 layers (each halves the resolution): 3 gives a 70×70 receptive field, as in
    /// pix2pix's PatchGAN.
    public var downsamplings = 3

    public init(base: Int = 32, downsamplings: Int = 3) {
        self.base = base
        self.downsamplings = downsamplings
    }

    public var problems: [String] {
        var result: [String] = []
        if base < 1 || base > 512 { result.append("discriminator base width must be in 1...512, got \(base)") }
        if downsamplings < 1 || downsamplings > 5 {
            result.append("discriminator downsamplings must be in 1...5, got \(downsamplings)")
        }
        return result
    }
}

/// A PatchGAN discriminator (Isola et al. 2017, as used by VQGAN): 4×4 convolutions of stride 2
/// with leaky ReLU, GroupNorm after the first, then a stride-1 4×4 layer and a 4×4 layer to one
/// logit per overlapping patch. It judges local texture, not the whole image, which is what the
/// autoencoder's L1/MSE loss blurs. GroupNorm rather than BatchNorm: the batches are small and
/// the real and fake halves are judged separately.
public final class PatchDiscriminator: Module {
    public let config: PatchDiscriminatorConfig
    private var convolutions: [Conv2d] = []
    private var norms: [GroupNorm?] = []

    public init(
        _ config: PatchDiscriminatorConfig = PatchDiscriminatorConfig(), inChannels: Int = 3,
        generator: inout SeededGenerator
    ) {
        self.config = config
        super.init()
        var channels = inChannels
        var width = config.base
        // Stride-2 layers, then one stride-1 layer at twice the last width, then the logit layer.
        for index in 0...config.downsamplings {
            let stride = index < config.downsamplings ? 2 : 1
            let conv = register(
                Conv2d(channels, width, kernelSize: 4, stride: stride, padding: 1, generator: &generator),
                as: "layers.\(index).conv")
            convolutions.append(conv)
            norms.append(
                index == 0
                    ? nil : register(GroupNorm(groups: Self.groups(width), channels: width), as: "layers.\(index).norm")
            )
            channels = width
            width = min(width * 2, 8 * config.base)
        }
        convolutions.append(
            register(Conv2d(channels, 1, kernelSize: 4, stride: 1, padding: 1, generator: &generator), as: "logits"))
    }

    /// GroupNorm groups for `channels`: as many as divide them, up to 32, with at least four
    /// channels each.
    static func groups(_ channels: Int) -> Int {
        (1...32).last { channels % $0 == 0 && channels / $0 >= 4 } ?? 1
    }

    /// Patch logits [N, 1, h, w] for images [N, C, H, W] in [−1, 1].
    public func callAsFunction(_ images: Variable) -> Variable {
        var h = images
        for (conv, norm) in zip(convolutions.dropLast(), norms) {
            h = conv(h)
            if let norm { h = norm(h) }
            h = h.leakyReLU(slope: 0.2)
        }
        return convolutions.last!(h)
    }
}

/// The hinge losses of a GAN (Lim & Ye 2017; Miyato et al. 2018), as VQGAN trains its
/// discriminator with.
public enum HingeLoss {
    /// mean(relu(1 − D(real))) + mean(relu(1 + D(fake))): zero once real patches score ≥ 1 and
    /// fake ones ≤ −1, so a winning discriminator stops pushing.
    public static func discriminator(real: Variable, fake: Variable) -> Variable {
        let terms = discriminatorTerms(real: real, fake: fake)
        return terms.real + terms.fake
    }

    /// The two means of the discriminator's loss apart (data-parallel ranks weigh them by their
    /// shares of the real and of the fake rows).
    public static func discriminatorTerms(real: Variable, fake: Variable) -> (real: Variable, fake: Variable) {
        ((-real + 1).relu().mean(), (fake + 1).relu().mean())
    }

    /// −mean(D(fake)): the generator raises the score of its reconstructions.
    public static func generator(fake: Variable) -> Variable {
        -fake.mean()
    }
}
