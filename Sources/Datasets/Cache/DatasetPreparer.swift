import FileFormats
import Foundation

/// Turns a `DatasetCatalog` into a cache folder (`images.h5` + `manifest.json`, see
/// `DatasetCacheLayout`): decode → RGB8 → shorter side resized to size + margin (Lanczos by
/// default) → centred square, stored as uint8 rows.
///
/// - Images are processed in chunks, each chunk in parallel on `options.threads` threads while
///   the previous chunk's rows are written in order, so the cache's row order is the catalog's.
/// - Files that cannot be used (unreadable, empty, truncated, corrupt, not PNG/JPEG) are skipped
///   and listed with the reason; images smaller than the target are enlarged with a warning.
/// - The cache appears at the output only when complete (see `CacheOutputFolder`); an error
///   or a stop request leaves the output as it was. The source folder is only ever read.
public struct DatasetPreparer {
    public var options: PrepareOptions
    /// Called after every chunk with the images done so far, the total and the skips so far.
    public var progress: ((_ done: Int, _ total: Int, _ skipped: Int) -> Void)?
    /// Warnings for the user (skipped files, enlarged images), one line each.
    public var log: ((String) -> Void)?
    /// Polled between chunks; returning true abandons the work with `DatasetError.interrupted`.
    public var shouldStop: () -> Bool = { false }
    /// Warnings of one kind shown individually before they are only counted.
    public var warningsShown = 10

    public init(options: PrepareOptions = PrepareOptions()) {
        self.options = options
    }

    /// What `prepare` made.
    public struct Result {
        public var folder: URL
        public var cacheFile: URL
        public var manifestFile: URL
        public var manifest: DatasetManifest
    }

    /// Prepares `catalog` into the folder `output` (created if needed; an earlier cache there is
    /// replaced). `catalogSeconds` is the time spent making the catalog, for the manifest.
    /// - Throws: `DatasetError.emptyDataset` if the catalog is empty or every image was skipped,
    ///   `.interrupted` if `shouldStop` asked to stop, `.invalidArgument` / `.refusedOverwrite`
    ///   for bad options or an unsafe output, `FileFormatError` for write failures.
    public func prepare(_ catalog: DatasetCatalog, into output: URL, catalogSeconds: Double = 0) throws -> Result {
        let started = Clock.now
        try options.validate()
        guard !catalog.items.isEmpty else {
            throw DatasetError(
                .emptyDataset, "\(catalog.root?.path ?? "the \(catalog.kind.rawValue) source") has no images to prepare"
            )
        }
        // Listed before any image is read: what the cache is made from (see `SourceListing`).
        let listing = catalog.kind == .synthetic ? nil : SourceListing.of(catalog)
        let folder = try CacheOutputFolder.begin(output, source: catalog.root)
        defer { folder.discard() }
        let side = options.storedSize
        let total = catalog.items.count
        let scratch = try HDF5File.create(at: folder.staging.appendingPathComponent(DatasetCacheLayout.imagesFile))
        defer { scratch.close() }
        let images = try scratch.createDataset(
            DatasetCacheLayout.images, type: .uint8, shape: [total, side, side, 3],
            chunk: [1, side, side, 3],
            gzip: options.gzipLevel > 0 ? options.gzipLevel : nil)

        var kept: [Int] = []
        var skipped = catalog.skipped
        var newlySkipped = 0
        var upscaled: [DatasetManifest.UpscaledImage] = []
        var fingerprint = ImageFingerprintBuilder()
        let options = self.options
        try ChunkedParallelMap.run(
            count: total, chunkSize: options.chunkSize, threads: options.threads,
            compute: { PreparedItem.prepare(catalog.items[$0], catalog: catalog, options: options) },
            consume: { range, results in
                if shouldStop() {
                    throw DatasetError(
                        .interrupted, "stopped after \(range.lowerBound) of \(total) images; no cache was written")
                }
                var block: [UInt8] = []
                block.reserveCapacity(results.count * side * side * 3)
                for (offset, result) in zip(range, results) {
                    let item = catalog.items[offset]
                    switch result {
                    case .skipped(let reason):
                        skipped.append(SkippedFile(file: item.name, reason: reason))
                        newlySkipped += 1
                        warn(newlySkipped, "skipped \(item.name): \(reason)")
                    case .row(let row):
                        block += row.pixels
                        kept.append(offset)
                        if let digest = row.digest {
                            fingerprint.add(name: item.name, byteCount: row.byteCount, digest: digest)
                        }
                        fingerprint.addHashTime(row.hashSeconds)
                        if let scale = row.upscale {
                            upscaled.append(
                                .init(
                                    file: item.name, width: row.originalWidth, height: row.originalHeight, scale: scale)
                            )
                            warn(
                                upscaled.count,
                                String(
                                    format: "enlarged %@ from %d×%d (%.2f×): smaller than %d px",
                                    item.name, row.originalWidth, row.originalHeight, scale, side))
                        }
                    }
                }
                let first = kept.count - block.count / (side * side * 3)
                try images.write(block, rows: first..<kept.count)
                progress?(range.upperBound, total, newlySkipped)
            })
        if newlySkipped > warningsShown { log?("skipped \(newlySkipped) files in all (listed in the manifest)") }
        if upscaled.count > warningsShown { log?("enlarged \(upscaled.count) images in all (listed in the manifest)") }
        guard !kept.isEmpty else {
            throw DatasetError(
                .emptyDataset,
                "all \(total) images were skipped (first: \(skipped.first.map { "\($0.file): \($0.reason)" } ?? "?"))")
        }
        let processed = Clock.now

        // Rows of skipped files were never written: copy the kept rows into a file of the right size.
        var cache = scratch
        if kept.count < total {
            cache = try HDF5File.create(at: folder.staging.appendingPathComponent(DatasetCacheLayout.imagesFile))
            try CacheCompaction.copyRows(0..<kept.count, from: images, to: cache, gzip: options.gzipLevel)
        }
        let compacted = Clock.now

        let items = kept.map { catalog.items[$0] }
        try CacheMetadataWriter.write(items: items, catalog: catalog, options: options, to: cache)
        try cache.commit()
        scratch.close()

        let cacheURL = folder.staging.appendingPathComponent(DatasetCacheLayout.imagesFile)
        let cacheBytes =
            (try? FileManager.default.attributesOfItem(atPath: cacheURL.path)[.size] as? NSNumber)?.intValue ?? 0
        let finished = Clock.now
        var manifest = try ManifestBuilder.make(
            catalog: catalog, items: items, options: options, skipped: skipped, upscaled: upscaled,
            fingerprint: fingerprint.fingerprint(listing: ImageFingerprintBuilder.listingHash(catalog.fileItems)),
            cacheBytes: cacheBytes)
        manifest.pipelineVersion = options.pipelineVersion
        if let listing {
            try listing.write(to: folder.staging)
            manifest.sourceListing = SourceListing.fileName
        }
        // The output's own hash, as the other stages record theirs (about 1 s for Oxford's 380 MB).
        manifest.cacheSHA256 = try SHA256.hashFile(at: cacheURL).hex
        manifest.timings = .init(
            catalogSeconds: catalogSeconds, processSeconds: processed - started,
            compactSeconds: compacted - processed, totalSeconds: catalogSeconds + finished - started,
            imagesPerSecond: Double(total) / max(processed - started, 1e-9), threads: options.threads)
        try JSONFile.write(manifest, to: folder.staging.appendingPathComponent(DatasetCacheLayout.manifestFile))
        try folder.install()
        return Result(
            folder: folder.output,
            cacheFile: folder.output.appendingPathComponent(DatasetCacheLayout.imagesFile),
            manifestFile: folder.output.appendingPathComponent(DatasetCacheLayout.manifestFile),
            manifest: manifest)
    }

    private func warn(_ number: Int, _ text: String) {
        if number <= warningsShown { log?("warning: " + text) }
    }
}

/// Seconds of a monotonic clock.
enum Clock {
    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
}
