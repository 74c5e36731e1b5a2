import Foundation

/// Where the loader gets stored pixels from: all selected rows held in memory (read once), or
/// read from the cache for every batch.
///
/// Policy: the selected rows are held in memory when their stored bytes fit in `memoryLimit`
/// (1 GiB by default: Oxford Flowers 102 at 144 px is 0.45 GB, synthetic sets are smaller),
/// because then every epoch costs no disk reads or decompression at all. Larger selections
/// (e.g. 256 + 32 px, 2 GB) are read batch by batch, each batch's rows as sorted runs.
final class PixelStore: @unchecked Sendable {
    private let cache: DatasetCache
    private let memory: [UInt8]?
    /// Row → its place in `memory`.
    private let slotOfRow: [Int: Int]

    var isInMemory: Bool { memory != nil }

    init(cache: DatasetCache, rows: [Int], memoryLimit: Int) throws {
        self.cache = cache
        let bytes = cache.bytesPerImage
        guard rows.count * bytes <= memoryLimit else {
            memory = nil
            slotOfRow = [:]
            return
        }
        let sorted = Array(Set(rows)).sorted()
        var slots: [Int: Int] = [:]
        var data = [UInt8]()
        data.reserveCapacity(sorted.count * bytes)
        // Read in runs of neighbouring rows (at most 256 at a time), skipping rows not selected.
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end] == sorted[end - 1] + 1 && end - start < 256 { end += 1 }
            data += try cache.pixels(rows: sorted[start]..<(sorted[end - 1] + 1))
            for k in start..<end { slots[sorted[k]] = k }
            start = end
        }
        memory = data
        slotOfRow = slots
    }

    /// The stored bytes of `rows`, in that order.
    func pixels(_ rows: [Int]) throws -> [UInt8] {
        guard let memory else { return try cache.pixels(rows: rows) }
        let bytes = cache.bytesPerImage
        var out = [UInt8](repeating: 0, count: rows.count * bytes)
        out.withUnsafeMutableBytes { dst in
            memory.withUnsafeBytes { src in
                for (k, row) in rows.enumerated() {
                    let slot = slotOfRow[row]!
                    dst.baseAddress!.advanced(by: k * bytes)
                        .copyMemory(from: src.baseAddress!.advanced(by: slot * bytes), byteCount: bytes)
                }
            }
        }
        return out
    }
}
