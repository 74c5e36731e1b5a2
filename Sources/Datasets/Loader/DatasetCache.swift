import FileFormats
import Foundation

/// A prepared dataset cache opened for reading: the metadata in memory, the pixels on disk.
/// Safe to share between threads (HDF5 calls are serialised by `HDF5File`).
public final class DatasetCache: @unchecked Sendable {
    /// The cache folder.
    public let folder: URL
    public let file: HDF5File
    /// Training image side and the margin stored around it (images are `storedSize` square).
    public let size: Int
    public let margin: Int
    public var storedSize: Int { size + margin }
    /// Per row: 0-based class id, subset, source name.
    public let labels: [Int]
    public let subsets: [DatasetSubset]
    public let files: [String]
    public let classNames: [String]
    /// The source kind recorded at preparation ("oxford", "folder", "synthetic").
    public let source: String
    private let images: HDF5Dataset

    public var count: Int { labels.count }
    /// Bytes of one stored image.
    public var bytesPerImage: Int { storedSize * storedSize * 3 }

    /// Opens the cache in `folder` (or the `images.h5` file itself).
    /// - Throws: `FileFormatError` naming the file if it is missing, not a cache, or inconsistent.
    public static func open(_ location: URL) throws -> DatasetCache {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory)
        let folder = exists && !isDirectory.boolValue ? location.deletingLastPathComponent() : location
        let url = folder.appendingPathComponent(DatasetCacheLayout.imagesFile)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileFormatError(.notFound, path: url.path, "no dataset cache here (make one with `pipeline prepare`)")
        }
        return try DatasetCache(folder: folder, file: HDF5File.open(at: url))
    }

    private init(folder: URL, file: HDF5File) throws {
        func bad(_ message: String) -> FileFormatError { FileFormatError(.malformed, path: file.url.path, message) }
        guard try file.attribute("format") == DatasetCacheLayout.formatName else {
            throw bad("not a dataset cache (attribute 'format' is not '\(DatasetCacheLayout.formatName)')")
        }
        guard let version = try file.attribute("version").flatMap(Int.init), version == DatasetCacheLayout.formatVersion
        else {
            throw bad(
                "cache format version \(try file.attribute("version") ?? "?") is not \(DatasetCacheLayout.formatVersion); prepare it again"
            )
        }
        guard let size = try file.attribute("size").flatMap(Int.init), size > 0,
            let margin = try file.attribute("margin").flatMap(Int.init), margin >= 0
        else {
            throw bad("attributes 'size' and 'margin' are missing or not numbers")
        }
        let images = try file.dataset(DatasetCacheLayout.images)
        let side = size + margin
        guard images.elementType == .uint8, images.shape.count == 4, Array(images.shape.dropFirst()) == [side, side, 3]
        else {
            throw bad(
                "'images' is \(images.elementType.rawValue) \(images.shape), expected uint8 [N, \(side), \(side), 3]")
        }
        let n = images.shape[0]
        let labels = try file.dataset(DatasetCacheLayout.labels).read(Int64.self).map { Int($0) }
        let splitCodes = try file.dataset(DatasetCacheLayout.split).read(UInt8.self)
        let files = try file.readStrings(DatasetCacheLayout.files)
        let classNames = try file.readStrings(DatasetCacheLayout.classNames)
        guard labels.count == n, splitCodes.count == n, files.count == n else {
            throw bad(
                "\(n) images but \(labels.count) labels, \(splitCodes.count) split entries and \(files.count) file names"
            )
        }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw bad("row \(i) has label \(labels[i]), outside the \(classNames.count) classes")
        }
        var subsets: [DatasetSubset] = []
        subsets.reserveCapacity(n)
        for (i, code) in splitCodes.enumerated() {
            guard let subset = DatasetSubset(rawValue: code) else {
                throw bad("row \(i) has split code \(code), expected 0, 1 or 2")
            }
            subsets.append(subset)
        }
        self.folder = folder
        self.file = file
        self.size = size
        self.margin = margin
        self.labels = labels
        self.subsets = subsets
        self.files = files
        self.classNames = classNames
        self.source = try file.attribute("source") ?? "unknown"
        self.images = images
    }

    /// The manifest beside the cache.
    public func manifest() throws -> DatasetManifest { try DatasetManifest.read(from: folder) }

    /// Rows in the given subsets (all rows for nil), ascending.
    public func rows(in subsets: Set<DatasetSubset>? = nil) -> [Int] {
        guard let subsets else { return Array(0..<count) }
        return (0..<count).filter { subsets.contains(self.subsets[$0]) }
    }

    /// The stored pixels of consecutive rows, HWC, `rows.count × bytesPerImage` bytes.
    public func pixels(rows: Range<Int>) throws -> [UInt8] {
        try images.read(UInt8.self, rows: rows)
    }

    /// The stored pixels of any rows, in the order given. The rows are read as sorted runs of
    /// consecutive rows, one HDF5 read per run, so scattered rows cost one chunk each and
    /// neighbouring rows are read together.
    public func pixels(rows: [Int]) throws -> [UInt8] {
        let bytes = bytesPerImage
        var out = [UInt8](repeating: 0, count: rows.count * bytes)
        guard !rows.isEmpty else { return out }
        if let bad = rows.first(where: { $0 < 0 || $0 >= count }) {
            throw FileFormatError(.malformed, path: file.url.path, "row \(bad) is outside 0..<\(count)")
        }
        let order = rows.indices.sorted { rows[$0] < rows[$1] }
        var start = 0
        try out.withUnsafeMutableBufferPointer { dst in
            while start < order.count {
                var end = start + 1
                while end < order.count && rows[order[end]] <= rows[order[end - 1]] + 1 { end += 1 }
                let first = rows[order[start]], last = rows[order[end - 1]]
                let run = try images.read(UInt8.self, rows: first..<(last + 1))
                run.withUnsafeBufferPointer { src in
                    for k in start..<end {
                        let from = (rows[order[k]] - first) * bytes
                        UnsafeMutableRawPointer(dst.baseAddress! + order[k] * bytes)
                            .copyMemory(from: src.baseAddress! + from, byteCount: bytes)
                    }
                }
                start = end
            }
        }
        return out
    }

    /// One stored image.
    public func image(row: Int) throws -> RGBImage {
        RGBImage(width: storedSize, height: storedSize, pixels: try pixels(rows: row..<(row + 1)))
    }
}
