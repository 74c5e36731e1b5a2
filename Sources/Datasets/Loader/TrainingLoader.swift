import Foundation
import TensorCore

/// Shuffled, augmented training batches from a dataset cache, made on a background thread one
/// or two batches ahead of the training loop.
///
/// The stream is a pure function of the seed: epoch `e` visits the selected rows in a
/// permutation drawn from (seed, e), and image `k` of batch `b` is augmented with a generator
/// drawn from (seed, e, b, k). So batches do not depend on thread timing or prefetch depth, and a
/// loader started at a saved `LoaderPosition` continues exactly where a checkpointed run stopped.
///
/// One consumer calls `next()` (the training loop); `close()` (or releasing the loader) ends
/// the background thread.
public final class TrainingLoader: @unchecked Sendable {
    public let cache: DatasetCache
    public let options: LoaderOptions
    /// Batches per epoch (the last partial batch is dropped when `options.dropLast`).
    public let batchesPerEpoch: Int
    /// Images the loader draws from.
    public var rowCount: Int { schedule.rows.count }
    /// Whether the selected images were read into memory (see `PixelStore`).
    public var isInMemory: Bool { store.isInMemory }
    /// The position of the batch `next()` returns next.
    public private(set) var position: LoaderPosition

    private let schedule: BatchSchedule
    private let store: PixelStore
    private let assembler: BatchAssembler
    private let queue: PrefetchQueue<Result<ImageBatch, Error>>
    private let producerDone = DispatchSemaphore(value: 0)
    private var failure: Error?
    private var isClosed = false

    /// - Throws: `DatasetError.invalidArgument` for a batch size below 1, no images in the chosen
    ///   subsets, fewer images than one batch (with `dropLast`) or a start position past the
    ///   epoch; `FileFormatError` if the images cannot be read.
    public init(cache: DatasetCache, options: LoaderOptions, start: LoaderPosition = LoaderPosition()) throws {
        guard options.batchSize >= 1 else {
            throw DatasetError(.invalidArgument, "batch size must be at least 1, got \(options.batchSize)")
        }
        guard options.workers >= 1 else {
            throw DatasetError(.invalidArgument, "workers must be at least 1, got \(options.workers)")
        }
        let rows = cache.rows(in: options.subsets)
        let subsetNames = options.subsets.map(\.description).sorted().joined(separator: "+")
        guard !rows.isEmpty else {
            throw DatasetError(.emptyDataset, "\(cache.folder.path): no images in the \(subsetNames) subset(s)")
        }
        let schedule = BatchSchedule(
            rows: rows, batchSize: options.batchSize, seed: options.seed, shuffle: true,
            dropLast: options.dropLast)
        guard schedule.batchesPerEpoch > 0 else {
            throw DatasetError(
                .invalidArgument,
                "the \(subsetNames) subset(s) hold \(rows.count) images, fewer than one batch of \(options.batchSize)")
        }
        guard start.epoch >= 0, start.batch >= 0, start.batch < schedule.batchesPerEpoch else {
            throw DatasetError(
                .invalidArgument, "start \(start) is outside an epoch of \(schedule.batchesPerEpoch) batches")
        }
        if case let .randomResized(scale, ratio) = options.augmentation.crop,
            !(scale.lowerBound > 0 && scale.upperBound <= 1 && ratio.lowerBound > 0 && ratio.upperBound.isFinite)
        {
            throw DatasetError(
                .invalidArgument, "random resized crop needs scale in (0, 1] and ratio > 0; got \(scale), \(ratio)")
        }
        self.cache = cache
        self.options = options
        self.schedule = schedule
        self.batchesPerEpoch = schedule.batchesPerEpoch
        self.position = start
        self.store = try PixelStore(cache: cache, rows: rows, memoryLimit: options.memoryLimit)
        self.assembler = BatchAssembler(
            storedSize: cache.storedSize, size: cache.size,
            augmentation: options.augmentation, workers: options.workers)
        self.queue = PrefetchQueue(capacity: max(1, options.prefetch))
        let thread = Thread { [queue, producerDone, schedule, store, assembler, cache] in
            Self.produce(
                from: start, queue: queue, schedule: schedule, store: store, assembler: assembler, cache: cache)
            producerDone.signal()
        }
        thread.name = "fmf.loader"
        thread.start()
    }

    deinit { close() }

    /// The next batch (waiting for the background thread if it is not ready yet).
    public func next() throws -> ImageBatch {
        if let failure { throw failure }
        guard !isClosed, let result = queue.take() else {
            throw DatasetError(.invalidArgument, "the training loader is closed")
        }
        switch result {
        case .success(let batch):
            position = batch.next
            return batch
        case .failure(let error):
            failure = error
            throw error
        }
    }

    /// The batch at `position`, made on the calling thread (the same batch `next()` gives there).
    public func batch(at position: LoaderPosition) throws -> ImageBatch {
        try Self.make(
            position, order: schedule.order(epoch: position.epoch), schedule: schedule, store: store,
            assembler: assembler, cache: cache)
    }

    /// Stops the background thread and waits for it. Called on deinit.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        queue.close()
        producerDone.wait()
    }

    // MARK: - Producer

    private static func produce(
        from start: LoaderPosition, queue: PrefetchQueue<Result<ImageBatch, Error>>,
        schedule: BatchSchedule, store: PixelStore, assembler: BatchAssembler, cache: DatasetCache
    ) {
        var position = start
        var order = (epoch: start.epoch, rows: schedule.order(epoch: start.epoch))
        while !queue.isClosed {
            if order.epoch != position.epoch { order = (position.epoch, schedule.order(epoch: position.epoch)) }
            let result = Result {
                try make(
                    position, order: order.rows, schedule: schedule, store: store, assembler: assembler, cache: cache)
            }
            guard queue.put(result), case .success = result else { return }
            position = schedule.advance(position)
        }
    }

    private static func make(
        _ position: LoaderPosition, order: [Int], schedule: BatchSchedule, store: PixelStore,
        assembler: BatchAssembler, cache: DatasetCache
    ) throws -> ImageBatch {
        guard position.batch >= 0 && position.batch < schedule.batchesPerEpoch && position.epoch >= 0 else {
            throw DatasetError(
                .invalidArgument, "\(position) is outside an epoch of \(schedule.batchesPerEpoch) batches")
        }
        let rows = schedule.rows(of: position.batch, in: order)
        let pixels = try store.pixels(rows)
        let images = try assembler.assemble(pixels, count: rows.count) { schedule.generator(position, slot: $0) }
        return ImageBatch(
            images: images, labels: rows.map { cache.labels[$0] }, rows: rows, position: position,
            next: schedule.advance(position))
    }
}
