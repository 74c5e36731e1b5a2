import DataParallel

/// The ranks that share a training batch, as the quantizer sees them: the group and which images
/// of the global batch this rank's latents are.
public struct QuantizerBatchShare {
    public let group: DataParallelGroup
    /// This rank's images of the global batch (`DataParallelGroup.shard(of:)`).
    public let images: Range<Int>
    /// Images in the global batch.
    public let batchSize: Int

    public init(group: DataParallelGroup, images: Range<Int>, batchSize: Int) {
        precondition(
            images.lowerBound >= 0 && images.upperBound <= batchSize,
            "QuantizerBatchShare: images \(images) of a batch of \(batchSize)")
        self.group = group
        self.images = images
        self.batchSize = batchSize
    }
}
