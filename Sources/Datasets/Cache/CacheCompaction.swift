import FileFormats

/// Copies leading rows of an image dataset into a new file, in blocks, for a cache whose
/// skipped files left unused rows at the end.
enum CacheCompaction {
    static func copyRows(_ rows: Range<Int>, from source: HDF5Dataset, to file: HDF5File, gzip: Int) throws {
        var shape = source.shape
        shape[0] = rows.count
        let target = try file.createDataset(
            DatasetCacheLayout.images, type: .uint8, shape: shape,
            chunk: [1] + shape.dropFirst(), gzip: gzip > 0 ? gzip : nil)
        let block = 64
        for start in stride(from: rows.lowerBound, to: rows.upperBound, by: block) {
            let range = start..<min(rows.upperBound, start + block)
            let pixels = try source.read(UInt8.self, rows: range)
            try target.write(pixels, rows: (range.lowerBound - rows.lowerBound)..<(range.upperBound - rows.lowerBound))
        }
    }
}
