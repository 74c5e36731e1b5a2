import TensorCore

/// The cache's images in row order, centre-cropped and not augmented, in batches (the last one
/// may be smaller): for evaluation and for encoding the dataset.
public struct SequentialReader: Sendable {
    public let cache: DatasetCache
    public let batchSize: Int
    /// The rows read (ascending, unless given).
    public let rows: [Int]
    private let assembler: BatchAssembler

    /// - Parameter subsets: the subsets to read (nil: every row).
    public init(cache: DatasetCache, subsets: Set<DatasetSubset>? = nil, batchSize: Int) throws {
        guard batchSize >= 1 else {
            throw DatasetError(.invalidArgument, "batch size must be at least 1, got \(batchSize)")
        }
        self.cache = cache
        self.batchSize = batchSize
        self.rows = cache.rows(in: subsets)
        self.assembler = BatchAssembler(storedSize: cache.storedSize, size: cache.size, augmentation: .none, workers: 1)
    }

    /// Reads `rows` in the order given (each must be a row of the cache).
    public init(cache: DatasetCache, rows: [Int], batchSize: Int) throws {
        guard batchSize >= 1 else {
            throw DatasetError(.invalidArgument, "batch size must be at least 1, got \(batchSize)")
        }
        if let bad = rows.first(where: { $0 < 0 || $0 >= cache.count }) {
            throw DatasetError(.invalidArgument, "row \(bad) is outside the cache's 0..<\(cache.count)")
        }
        self.cache = cache
        self.batchSize = batchSize
        self.rows = rows
        self.assembler = BatchAssembler(storedSize: cache.storedSize, size: cache.size, augmentation: .none, workers: 1)
    }

    public var batchCount: Int { (rows.count + batchSize - 1) / batchSize }

    /// Batch `index` (0..<batchCount).
    public func batch(_ index: Int) throws -> ImageBatch {
        guard index >= 0 && index < batchCount else {
            throw DatasetError(.invalidArgument, "batch \(index) is outside 0..<\(batchCount)")
        }
        let selected = Array(rows[(index * batchSize)..<min(rows.count, (index + 1) * batchSize)])
        let pixels = try cache.pixels(rows: selected)
        let images = try assembler.assemble(pixels, count: selected.count) { _ in SeededGenerator(seed: 0) }
        return ImageBatch(
            images: images, labels: selected.map { cache.labels[$0] }, rows: selected,
            position: LoaderPosition(epoch: 0, batch: index),
            next: LoaderPosition(epoch: index + 1 < batchCount ? 0 : 1, batch: index + 1 < batchCount ? index + 1 : 0))
    }

    /// Calls `body` with every batch in order.
    public func forEach(_ body: (ImageBatch) throws -> Void) throws {
        for index in 0..<batchCount { try body(try batch(index)) }
    }
}
