/// Settings of a `TrainingLoader`.
public struct LoaderOptions: Equatable, Sendable {
    public var batchSize: Int
    /// Subsets drawn from (default: train).
    public var subsets: Set<DatasetSubset>
    /// Determines every epoch's order and every augmentation.
    public var seed: UInt64
    public var augmentation: BatchAugmentation
    /// Leave out the last, smaller batch of an epoch, so every batch has `batchSize` images.
    public var dropLast: Bool
    /// Batches made ahead on the background thread (1 or 2 is plenty).
    public var prefetch: Int
    /// Selections up to this many stored bytes are read into memory once (see `PixelStore`).
    public var memoryLimit: Int
    /// Threads that share the making of one batch (1 leaves the other cores to training).
    public var workers: Int

    public init(
        batchSize: Int, subsets: Set<DatasetSubset> = [.train], seed: UInt64 = 0,
        augmentation: BatchAugmentation = .standard, dropLast: Bool = true, prefetch: Int = 2,
        memoryLimit: Int = 1 << 30, workers: Int = 1
    ) {
        self.batchSize = batchSize
        self.subsets = subsets
        self.seed = seed
        self.augmentation = augmentation
        self.dropLast = dropLast
        self.prefetch = prefetch
        self.memoryLimit = memoryLimit
        self.workers = workers
    }
}
