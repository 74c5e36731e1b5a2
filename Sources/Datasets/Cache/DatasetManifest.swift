import FileFormats
import Foundation

/// `manifest.json` beside a cache's `images.h5`: where the images came from (with hashes that
/// tell whether the source changed), how they were processed, what went in and what was left out.
public struct DatasetManifest: Codable, Equatable, Sendable {
    public struct Source: Codable, Equatable, Sendable {
        public var kind: DatasetCatalog.Kind
        /// The source folder as given (nil for synthetic images).
        public var path: String?
        /// Seed, split fractions, counts: whatever else defines the source.
        public var parameters: [String: String]
    }

    public struct Processing: Codable, Equatable, Sendable {
        public var size: Int
        public var margin: Int
        public var storedSize: Int
        public var filter: String
        public var gzipLevel: Int
        public var steps: String
    }

    public struct ClassCount: Codable, Equatable, Sendable {
        public var id: Int
        public var name: String
        public var train: Int
        public var validation: Int
        public var test: Int
        public var total: Int { train + validation + test }

        public init(id: Int, name: String, train: Int, validation: Int, test: Int) {
            self.id = id
            self.name = name
            self.train = train
            self.validation = validation
            self.test = test
        }
    }

    public struct Counts: Codable, Equatable, Sendable {
        public var total: Int
        public var train: Int
        public var validation: Int
        public var test: Int
        /// Candidates in the catalog: `total` plus the images skipped while preparing.
        public var candidates: Int
        public var skipped: Int
        public var upscaled: Int
        public var perClass: [ClassCount]
    }

    /// A file hashed whole.
    public struct FileHash: Codable, Equatable, Sendable {
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    /// A fingerprint of the image files. `contentSHA256` hashes, in cache-row order, a line
    /// "name, size, SHA-256 of the bytes" for every stored image: the bytes are in memory anyway
    /// for decoding, so hashing them costs little (see `hashSeconds`) and catches any edit, even
    /// one that keeps the size. `listingSHA256` hashes "name, size" of every catalog item, from
    /// the directory listing only, so a later check can tell in a moment whether files were
    /// added, removed or resized without reading them.
    public struct ImageFingerprint: Codable, Equatable, Sendable {
        public var method: String
        public var files: Int
        public var bytes: Int
        public var contentSHA256: String
        public var listingSHA256: String
        public var hashSeconds: Double
    }

    public struct UpscaledImage: Codable, Equatable, Sendable {
        public var file: String
        public var width: Int
        public var height: Int
        public var scale: Double
    }

    public struct Timings: Codable, Equatable, Sendable {
        /// Reading labels and listing files.
        public var catalogSeconds: Double
        /// Decoding, resizing and writing the images.
        public var processSeconds: Double
        /// Rewriting the images without the rows of skipped files (0 if none were skipped).
        public var compactSeconds: Double
        public var totalSeconds: Double
        public var imagesPerSecond: Double
        public var threads: Int
    }

    /// The fields every stage manifest has: the stage that wrote it ("prepare"), its status
    /// ("complete": the manifest is written last, after `images.h5`), and the version of the
    /// tool that wrote it (nil when the cache was made by the library without the pipeline).
    /// Optional so that caches from before these fields still read.
    public var stage: String? = "prepare"
    public var status: String? = "complete"
    public var pipelineVersion: String?
    public var format: String
    public var version: Int
    public var createdAt: String
    public var source: Source
    public var processing: Processing
    public var counts: Counts
    public var classNames: [String]
    public var labelFiles: [FileHash]
    public var imageFiles: ImageFingerprint?
    public var skipped: [SkippedFile]
    public var upscaled: [UpscaledImage]
    public var notes: [String]
    public var timings: Timings
    public var cacheFile: String
    public var cacheBytes: Int
    /// SHA-256 of `cacheFile` as written (nil in caches from before it was recorded).
    public var cacheSHA256: String?
    /// The file beside the manifest listing the source's files when the cache was made
    /// (`SourceListing`; nil for synthetic images and in caches from before it was saved).
    public var sourceListing: String?

    /// Reads a cache folder's manifest.
    public static func read(from folder: URL) throws -> DatasetManifest {
        try JSONFile.read(DatasetManifest.self, from: folder.appendingPathComponent(DatasetCacheLayout.manifestFile))
    }
}
