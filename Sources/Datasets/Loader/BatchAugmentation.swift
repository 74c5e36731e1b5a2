/// What the training loader does to each stored image before it becomes a tensor.
public struct BatchAugmentation: Equatable, Sendable {
    public enum Crop: Equatable, Sendable {
        /// The centred `size` square of the stored `size + margin` image (no randomness).
        case center
        /// A `size` square at a random position inside the margin.
        case random
        /// torchvision's random resized crop of the stored image (area fraction in `scale`,
        /// aspect ratio in `ratio`), resized to `size` with Lanczos.
        case randomResized(scale: ClosedRange<Double>, ratio: ClosedRange<Double>)
    }

    public var crop: Crop
    /// Mirror left–right with probability 1/2.
    public var horizontalFlip: Bool

    public init(crop: Crop, horizontalFlip: Bool) {
        self.crop = crop
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation: centre crops, as evaluation sees the images.
    public static let none = BatchAugmentation(crop: .center, horizontalFlip: false)
    /// Random crops from the margin and random flips: cheap, and keeps the images' scale.
    public static let standard = BatchAugmentation(crop: .random, horizontalFlip: true)

    var isRandom: Bool { crop != .center || horizontalFlip }
}

/// Where a training loader is in its stream of batches: batch `batch` of epoch `epoch`
/// (both from 0). Saving it with a checkpoint lets a resumed run see the same batches.
public struct LoaderPosition: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var epoch: Int
    public var batch: Int

    public init(epoch: Int = 0, batch: Int = 0) {
        self.epoch = epoch
        self.batch = batch
    }

    public var description: String { "epoch \(epoch) batch \(batch)" }
}
