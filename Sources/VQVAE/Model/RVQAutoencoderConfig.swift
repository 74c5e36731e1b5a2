/// Everything that defines an RVQ autoencoder's shape: the convolutional backbone, the residual
/// quantizer and the image side it is built for. Saved as JSON in the model file's metadata.
public struct RVQAutoencoderConfig: Codable, Equatable, Sendable {
    public var autoencoder = AutoencoderConfig()
    public var quantizer = QuantizerConfig()
    /// Side of the square training images (the latent side is this over the downsampling).
    public var imageSize = 128

    public init() {}

    public init(autoencoder: AutoencoderConfig, quantizer: QuantizerConfig, imageSize: Int) {
        self.autoencoder = autoencoder
        self.quantizer = quantizer
        self.imageSize = imageSize
    }

    /// Side of the latent grid.
    public var latentSide: Int { imageSize / max(1, autoencoder.downsampling) }
    /// [C, side, side] of one image's latents.
    public var latentShape: [Int] { [autoencoder.latentChannels, latentSide, latentSide] }

    /// The problems of this configuration, empty when it is usable.
    public var problems: [String] {
        var result = autoencoder.problems + quantizer.problems
        let factor = autoencoder.downsampling
        if imageSize < 1 || factor < 1 || imageSize % factor != 0 {
            result.append("image size \(imageSize) is not a multiple of the downsampling \(factor)")
        }
        if quantizer.dimension != autoencoder.latentChannels {
            result.append(
                "code dimension \(quantizer.dimension) differs from the \(autoencoder.latentChannels) latent channels")
        }
        return result
    }
}
