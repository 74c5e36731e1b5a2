import Datasets
import FileFormats
import Foundation
import TensorCore
import VQVAE

/// What `generate` and the evaluation during `train-flow` share: loading the autoencoder that
/// decodes a latent flow's samples, and turning data-space samples into 8-bit images.
enum FlowSampleDecoding {
    /// Samples decoded at once: bounds the decoder's activations (128 px, 25 images: ~0.5 GB).
    static let decodeChunk = 25

    /// The autoencoder at `url`, checked to make latents of `sampleShape`.
    static func loadAutoencoder(_ url: URL, sampleShape: [Int]) throws -> RVQAutoencoder {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StageError("\(url.path): no autoencoder model here; pass --autoencoder FILE")
        }
        let model = try RVQAutoencoder.load(from: url)
        guard model.latentShape == sampleShape else {
            throw StageError(
                "\(url.path): the autoencoder's latents are \(model.latentShape), the flow model makes \(sampleShape)")
        }
        return model
    }

    /// Data-space samples as 8-bit images: decoded by the autoencoder (latents) or taken as
    /// they are (pixels in [-1, 1]). `decoded` is handed each chunk's images as soon as they
    /// exist, with their sample indices, so a caller can write them while the next chunk decodes.
    static func images(
        _ samples: Tensor, autoencoder: RVQAutoencoder?,
        decoded: (([RGBImage], Range<Int>) throws -> Void)? = nil
    ) throws -> [RGBImage] {
        let n = samples.shape[0]
        guard let autoencoder else {
            let images = try eightBitImages(samples)
            try decoded?(images, 0..<images.count)
            return images
        }
        let per = samples.count / max(n, 1)
        var images: [RGBImage] = []
        images.reserveCapacity(n)
        // Every chunk runs the same decoder: its convolution weights are transformed once, not per chunk.
        try reusingTransformedWeights {
            for start in stride(from: 0, to: n, by: decodeChunk) {
                let end = min(n, start + decodeChunk)
                let chunk = Tensor(
                    shape: [end - start] + samples.shape.dropFirst(),
                    values: Array(samples.values[(start * per)..<(end * per)]))
                let chunkImages = try eightBitImages(withoutGradients { autoencoder.decode(Variable(chunk)).value })
                try decoded?(chunkImages, start..<end)
                images += chunkImages
            }
        }
        return images
    }

    /// Pixels [N, 3, H, W] in [-1, 1] as 8-bit images.
    private static func eightBitImages(_ pixels: Tensor) throws -> [RGBImage] {
        let (count, c, h, w) = pixels.nchw("decode samples")
        guard c == 3 else { throw StageError("samples have \(c) channels, images need 3") }
        return try ImageTensorConversion.images(fromNCHW: pixels.values, count: count, height: h, width: w)
    }
}
