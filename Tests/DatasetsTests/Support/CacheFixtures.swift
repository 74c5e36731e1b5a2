import Datasets
import FileFormats
import Foundation

/// Test-only sources and caches with known pixels.
enum CacheFixtures {
    /// An image whose every pixel says where it is and which image it is: R = x, G = y, B = `id`.
    static func coordinates(side: Int, id: Int) -> RGBImage {
        var image = TestImages.coordinates(width: side, height: side)
        for i in stride(from: 2, to: image.pixels.count, by: 3) { image.pixels[i] = UInt8(id) }
        return image
    }

    /// Class folders "a", "b", "c" of PNGs made by `coordinates(side:id:)`, exactly `side`
    /// pixels square, so that a cache stored at `side` holds them unchanged. Image `id` is in
    /// class `id % 3`; returns the folder and, per catalog row, the id of its image.
    static func coordinateFolder(in directory: URL, count: Int, side: Int) throws -> [Int] {
        var ids: [(name: String, id: Int)] = []
        for id in 0..<count {
            let name = "\(["a", "b", "c"][id % 3])/\(String(format: "%03d", id)).png"
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try PNGImage.encode(coordinates(side: side, id: id)).write(to: url)
            ids.append((name, id))
        }
        // The catalog lists class by class, each sorted by name.
        return ids.sorted { $0.name < $1.name }.map(\.id)
    }

    /// A prepared cache of `count` coordinate images stored at `size + margin` (no resizing).
    static func coordinateCache(
        in directory: TemporaryDirectory, count: Int, size: Int = 32, margin: Int = 8,
        validation: Double = 0.25, test: Double = 0
    ) throws -> (cache: DatasetCache, ids: [Int]) {
        let source = directory.url.appendingPathComponent("source")
        let ids = try coordinateFolder(in: source, count: count, side: size + margin)
        let catalog = try DatasetSource.folder(
            root: source, split: RandomSplit(validation: validation, test: test, seed: 1)
        ).catalog()
        let result = try DatasetPreparer(options: PrepareOptions(size: size, margin: margin, chunkSize: 7))
            .prepare(catalog, into: directory.url.appendingPathComponent("cache"))
        return (try DatasetCache.open(result.folder), ids)
    }
}
