import TensorCore

/// A training batch for the flow: data samples x₁ [N, C, H, W] (not yet standardised) and their
/// 0-based class ids.
public struct FlowBatch: @unchecked Sendable {
    public var data: Tensor
    public var labels: [Int]

    public init(data: Tensor, labels: [Int]) {
        precondition(
            data.rank >= 2 && data.shape[0] == labels.count,
            "FlowBatch: \(labels.count) labels for data of shape \(data.shape)")
        self.data = data
        self.labels = labels
    }

    public var count: Int { labels.count }
}

/// Where the trainer gets its data: latents from the latent cache, images from the dataset
/// cache, or anything a test makes up.
///
/// The batch of a step must be a pure function of the step number (the same batch whenever it
/// is asked for), which is what makes a resumed run see exactly the batches the uninterrupted
/// one would have seen.
public protocol FlowBatchSource: AnyObject {
    /// The shape of one sample, [C, H, W].
    var sampleShape: [Int] { get }
    /// The batch for optimizer step `step` (0-based).
    func batch(forStep step: Int) throws -> FlowBatch
}

/// A batch source made of a closure, for tests and small experiments.
public final class ClosureBatchSource: FlowBatchSource {
    public let sampleShape: [Int]
    private let make: (Int) throws -> FlowBatch

    public init(sampleShape: [Int], _ make: @escaping (Int) throws -> FlowBatch) {
        self.sampleShape = sampleShape
        self.make = make
    }

    public func batch(forStep step: Int) throws -> FlowBatch { try make(step) }
}
