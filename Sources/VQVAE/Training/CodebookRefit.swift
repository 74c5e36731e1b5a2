import TensorCore

/// The codebooks of the saved autoencoder, fitted to the encoder it is saved with.
///
/// Training saves the EMA of the weights, but the codebooks followed the *raw* encoder's latents
/// during training (their own EMA of the vectors assigned to each code), so the saved encoder's
/// latents would be quantized by codebooks that never saw them. Before the model is saved, the
/// codebooks are refitted, level by level, by Lloyd steps on the saved encoder's latents of a
/// sample of training images — starting from the trained codebooks, so that codes keep their
/// places and only move to where this encoder puts its latents. The checkpoint keeps the live
/// codebooks, which go on with the raw encoder if training resumes. (Which images, and reading
/// them, is the caller's: the pipeline takes a class-balanced sample of centre crops.)
public enum CodebookRefit {
    /// Training images encoded for the refit, at most.
    public static let sampleLimit = 512
    /// Lloyd iterations per level, at most (they stop once no latent changes its code).
    public static let maximumIterations = 100

    /// Refits `model`'s codebooks to the latents its encoder, as it is now, gives the images that
    /// `forEachBatch` hands over (call it with the weights that are saved). Returns the number of
    /// images and the Lloyd iterations per level; nothing changes when there are no images.
    public static func refit(
        _ model: RVQAutoencoder,
        forEachBatch: ((Tensor) throws -> Void) throws -> Void
    ) rethrows -> (images: Int, iterations: [Int]) {
        var values: [Float] = []
        var count = 0
        try forEachBatch { images in
            values += withoutGradients { model.encodeContinuous(Variable(images)).value }.values
            count += images.shape[0]
        }
        guard count > 0 else { return (0, []) }
        let latents = Tensor(shape: [count] + model.latentShape, values: values)
        return (count, model.quantizer.refitCodebooks(to: latents, maximumIterations: maximumIterations))
    }
}
