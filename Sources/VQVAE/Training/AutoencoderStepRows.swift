import TensorCore

/// One rank's part of a step's batch: its images, its share of the batch, and how the quantizer
/// and the adversarial terms weigh what it holds. Alone, the whole batch with share 1.
struct AutoencoderStepRows {
    /// This rank's images [n, 3, H, W].
    var images: Tensor
    /// Images in the global batch.
    var batchSize: Int
    /// n / batch size: the weight of this rank's mean-loss gradient in the global batch's.
    var share: Double
    /// The quantizer's view of the shared batch (nil alone).
    var quantizerShare: QuantizerBatchShare?
    /// Which of a step's `count` generated latents are this rank's (alone: all).
    var generatedShard: (_ count: Int) -> Range<Int> = { 0..<$0 }

    static func whole(_ images: Tensor) -> AutoencoderStepRows {
        AutoencoderStepRows(images: images, batchSize: images.shape[0], share: 1)
    }

    /// This rank's rows of a step's generated latents, and their share of all of them; fails
    /// when there are fewer of them than ranks.
    func generatedRows(of latents: Tensor) throws -> (latents: Tensor, share: Double) {
        let count = latents.shape[0]
        let range = generatedShard(count)
        if range.count == count { return (latents, 1) }
        guard !range.isEmpty else {
            throw AutoencoderTrainingError(
                "\(count) generated latents per step cannot be shared by the ranks; give at least one per rank")
        }
        return (latents.rows(range), Double(range.count) / Double(count))
    }

    /// The factor of a term that is a mean over this rank's generated rows in its loss, whose
    /// gradient is weighted by `share`: the term then counts with its own share.
    func weightInLoss(ofGeneratedShare generatedShare: Double) -> Double {
        generatedShare == share ? 1 : generatedShare / share
    }
}
