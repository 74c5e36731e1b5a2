import TensorCore

/// How `DatasetPreparer` turns images into cache rows.
public struct PrepareOptions: Equatable, Sendable {
    /// Side of the training images (one of `DatasetCacheLayout.supportedSizes`).
    public var size: Int
    /// Extra pixels stored around the centre crop (e.g. 16: 144 px stored for random 128 px crops).
    public var margin: Int
    /// Filter for resizing the shorter side (anti-aliased when shrinking).
    public var filter: ResampleFilter
    /// gzip level of the image chunks (0: uncompressed). Photographs shrink by only about 10%
    /// and deflating them is most of the preparation time (one writer thread), but 1 is the default
    /// so that caches of flat synthetic images stay small.
    public var gzipLevel: Int
    /// Images decoded together; one chunk is decoded while the previous one is written.
    public var chunkSize: Int
    /// Threads decoding and resizing (default: the compute threads, i.e. all cores or --threads).
    public var threads: Int
    /// The version of the tool preparing the cache, recorded in its manifest.
    public var pipelineVersion: String?

    public init(
        size: Int = 128, margin: Int = 0, filter: ResampleFilter = .lanczos3, gzipLevel: Int = 1,
        chunkSize: Int = 64, threads: Int = BLASRuntime.configuredThreads
    ) {
        self.size = size
        self.margin = margin
        self.filter = filter
        self.gzipLevel = gzipLevel
        self.chunkSize = chunkSize
        self.threads = threads
    }

    /// The side of the stored images.
    public var storedSize: Int { size + margin }

    func validate() throws {
        guard DatasetCacheLayout.supportedSizes.contains(size) else {
            throw DatasetError(
                .invalidArgument,
                "image size must be one of \(DatasetCacheLayout.supportedSizes.map(String.init).joined(separator: ", ")), got \(size)"
            )
        }
        guard margin >= 0 && margin <= size else {
            throw DatasetError(.invalidArgument, "margin must be in 0...\(size) (the image size), got \(margin)")
        }
        guard (0...9).contains(gzipLevel) else {
            throw DatasetError(.invalidArgument, "gzip level must be in 0...9, got \(gzipLevel)")
        }
        guard chunkSize >= 1, threads >= 1 else {
            throw DatasetError(
                .invalidArgument, "chunk size and threads must be at least 1, got \(chunkSize) and \(threads)")
        }
    }
}
