import TensorCore

/// A batch of images as a network consumes them, with where they came from.
public struct ImageBatch: @unchecked Sendable {
    /// [count, 3, size, size], values in [-1, 1] (0 ↦ -1, 255 ↦ 1).
    public var images: Tensor
    /// 0-based class ids.
    public var labels: [Int]
    /// The cache rows the images were read from.
    public var rows: [Int]
    /// This batch's place in the loader's stream.
    public var position: LoaderPosition
    /// The position of the batch after this one: what a checkpoint should store after training
    /// on this batch.
    public var next: LoaderPosition

    public var count: Int { labels.count }
}
