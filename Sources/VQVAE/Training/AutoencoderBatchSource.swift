import TensorCore

/// Where the autoencoder trainer gets its images: the pipeline's loader of the dataset cache, or
/// anything a test makes up. Images are [N, 3, H, W].
///
/// The source keeps its own position (and saves it with the trainer's checkpoint through the
/// caller's fields), so a resumed run must be given a source that stands where the checkpoint's did.
public protocol AutoencoderBatchSource: AnyObject {
    /// The next training batch; the source moves past it.
    func nextBatch() throws -> Tensor
    /// The next `count` batches, without moving: the k-means start of the codebooks clusters the
    /// latents of the batches training is about to see.
    func upcomingBatches(_ count: Int) throws -> [Tensor]
}
