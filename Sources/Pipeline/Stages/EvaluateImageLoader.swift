import Datasets
import FileFormats
import Foundation
import ImageMetrics
import TensorCore

/// A set of images `pipeline evaluate` read, and where from.
public struct EvaluationImages {
    public var set: ImageSet
    /// What was read: "dataset cache (validation)", "image folder", "HDF5 file", …
    public var kind: String
    public var path: String
    /// Images available before `--max-images` chose some.
    public var available: Int
    /// Things the user should know (files left out, images resized…).
    public var notes: [String]
    /// Files whose bytes define the set, for the manifest's input hashes.
    public var inputFiles: [URL]
    /// Each image's class id, when the images are labelled (a dataset cache); nil otherwise.
    public var labels: [Int]? = nil
    /// The names of the classes the set was restricted to (the sampled ones); nil: not restricted.
    public var classes: [String]? = nil
    /// How a folder of photos was brought to the compared size, e.g. "shorter side to 144, centre
    /// 128 kept (margin 16 of the run's dataset)"; nil for other sources.
    public var framing: String? = nil
}

/// Reads the images `pipeline evaluate` compares, from any of:
/// - a dataset cache folder (or its `images.h5`) made by `pipeline prepare`: the rows of the
///   chosen subsets, centre-cropped to the cache's image size;
/// - a folder of PNG/JPEG images (flat, or in sub-folders as `ImageFolder` reads them; sample
///   grids left out): photos of any sizes resized and centre-cropped to the size asked for, or
///   without one (the generated set) the images of the most common size (see `loadFolder`);
/// - an HDF5 file with a dataset `images` (uint8 [N, H, W, 3]) or `samples` (float32
///   [N, 3, H, W] in [-1, 1], or uint8 as before);
/// - a safetensors file with one such tensor (named `images` or `samples`, or the only one);
/// - a single PNG or JPEG image.
public enum EvaluateImageLoader {
    /// - Parameters:
    ///   - subsets: the subsets read from a dataset cache.
    ///   - maxImages: at most this many images, chosen at random (sorted) with `seed`.
    ///   - side: the square size a folder's images are brought to (the generated images' size
    ///     when the real ones are read); nil keeps a folder's most common size.
    ///   - framing: how a folder's photos are brought to `side` (see `PhotoFraming`).
    ///   - classes: the class ids read from a dataset cache (nil: all).
    public static func load(
        _ url: URL, subsets: Set<DatasetSubset>, maxImages: Int?, seed: UInt64,
        side: Int? = nil, framing: PhotoFraming = .init(), classes: Set<Int>? = nil
    ) throws -> EvaluationImages {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FileFormatError(.notFound, path: url.path, "no images here")
        }
        if isDirectory.boolValue {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(DatasetCacheLayout.imagesFile).path) {
                return try loadCache(url, subsets: subsets, maxImages: maxImages, seed: seed, classes: classes)
            }
            return try loadFolder(url, side: side, framing: framing, maxImages: maxImages, seed: seed)
        }
        let isHDF5 =
            try leadingBytes(url, count: 8) == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
            || ["h5", "hdf5"].contains(url.pathExtension.lowercased())
        if isHDF5 {
            let file = try HDF5File.open(at: url)
            if try file.attribute("format") == DatasetCacheLayout.formatName {
                file.close()
                return try loadCache(url, subsets: subsets, maxImages: maxImages, seed: seed, classes: classes)
            }
            defer { file.close() }
            return try loadHDF5(file, maxImages: maxImages, seed: seed)
        }
        if url.pathExtension.lowercased() == "safetensors" {
            return try loadSafetensors(url, maxImages: maxImages, seed: seed)
        }
        let image = try ImageFile.read(from: url)
        let set = try ImageSet(count: 1, height: image.height, width: image.width, pixels: image.pixels)
        return EvaluationImages(
            set: set, kind: "image file", path: url.path, available: 1, notes: [], inputFiles: [url])
    }

    private static func leadingBytes(_ url: URL, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileFormatError(.unreadable, path: url.path, "cannot open for reading")
        }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }

    /// Sorted random choice of `maxImages` of `count` indices (all of them if fewer).
    static func choose(_ count: Int, maxImages: Int?, seed: UInt64) -> [Int] {
        guard let maxImages, maxImages < count else { return Array(0..<count) }
        var random = SeededGenerator(seed: seed ^ RandomStream.evaluationImageChoice.salt)
        return random.permutation(count).prefix(max(0, maxImages)).sorted()
    }

    /// Whether `url` is a folder of image files (not a dataset cache folder).
    static func isImageFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
            && !FileManager.default.fileExists(atPath: url.appendingPathComponent(DatasetCacheLayout.imagesFile).path)
    }

    /// The rows of the cache's `subsets` (of the `classes` among them, if given), `maxImages` of
    /// them chosen with `seed`, each the centre `size` crop of its stored square.
    static func loadCache(
        _ url: URL, subsets: Set<DatasetSubset>, maxImages: Int?, seed: UInt64, classes: Set<Int>? = nil
    ) throws -> EvaluationImages {
        let cache = try DatasetCache.open(url)
        let rows = cache.rows(in: subsets).filter { classes?.contains(cache.labels[$0]) ?? true }
        let names = subsetNames(subsets)
        guard !rows.isEmpty else {
            let which = classes == nil ? "" : " of the \(classes!.count) classes asked for"
            throw DatasetError(.emptyDataset, "\(cache.file.url.path): no images in the \(names) subset(s)\(which)")
        }
        let chosen = choose(rows.count, maxImages: maxImages, seed: seed).map { rows[$0] }
        var images = try cacheImages(cache, rows: chosen, kind: "dataset cache (\(names))", available: rows.count)
        images.classes = classes.map { $0.sorted().map { cache.classNames[$0] } }
        return images
    }

    /// "test+train": subsets as the kinds and notes name them.
    static func subsetNames(_ subsets: Set<DatasetSubset>) -> String {
        subsets.map(\.description).sorted().joined(separator: "+")
    }

    /// The given rows of `cache`, in that order, each the centre `size` crop of its stored square
    /// (the framing training crops come from), with their labels.
    static func cacheImages(_ cache: DatasetCache, rows: [Int], kind: String, available: Int) throws
        -> EvaluationImages
    {
        let stored = try cache.pixels(rows: rows)
        let (side, size) = (cache.storedSize, cache.size)
        let offset = (side - size) / 2
        var pixels = [UInt8](repeating: 0, count: rows.count * size * size * 3)
        for n in 0..<rows.count {
            for y in 0..<size {
                let from = ((n * side + offset + y) * side + offset) * 3
                let to = ((n * size) + y) * size * 3
                pixels.replaceSubrange(to..<(to + size * 3), with: stored[from..<(from + size * 3)])
            }
        }
        let set = try ImageSet(count: rows.count, height: size, width: size, pixels: pixels)
        var inputs = [cache.file.url]
        let manifest = cache.folder.appendingPathComponent(DatasetCacheLayout.manifestFile)
        if FileManager.default.fileExists(atPath: manifest.path) { inputs.append(manifest) }
        return EvaluationImages(
            set: set, kind: kind, path: cache.folder.path, available: available, notes: [], inputFiles: inputs,
            labels: rows.map { cache.labels[$0] })
    }

    static func loadHDF5(_ file: HDF5File, maxImages: Int?, seed: UInt64) throws -> EvaluationImages {
        let path = file.url.path
        guard let name = try ["images", "samples"].first(where: { try file.exists($0) }) else {
            let members = (try? file.members()) ?? []
            throw FileFormatError(
                .malformed, path: path,
                "no dataset 'images' or 'samples' (found: \(members.isEmpty ? "nothing" : members.joined(separator: ", ")))"
            )
        }
        let dataset = try file.dataset(name)
        let shape = dataset.shape
        let set: ImageSet
        if dataset.elementType == .uint8, shape.count == 4, shape[3] == 3 {
            set = try ImageSet(count: shape[0], height: shape[1], width: shape[2], pixels: try dataset.read(UInt8.self))
        } else if dataset.elementType == .float32, shape.count == 4, shape[1] == 3 {
            set = try ImageSet(
                signedNCHW: try dataset.read(Float.self), count: shape[0], height: shape[2], width: shape[3])
        } else {
            throw FileFormatError(
                .unsupported, path: path,
                "'\(name)' is \(dataset.elementType.rawValue) \(shape); expected uint8 [N, H, W, 3] or float32 [N, 3, H, W] in [-1, 1]"
            )
        }
        return try subset(set, kind: "HDF5 file ('\(name)')", url: file.url, maxImages: maxImages, seed: seed)
    }

    static func loadSafetensors(_ url: URL, maxImages: Int?, seed: UInt64) throws -> EvaluationImages {
        let file = try SafetensorsFile.read(from: url)
        let name =
            ["images", "samples"].first { file.tensors[$0] != nil }
            ?? (file.tensors.count == 1 ? file.tensors.keys.first : nil)
        guard let name, let tensor = file.tensors[name] else {
            throw FileFormatError(
                .malformed, path: url.path,
                "no tensor 'images' or 'samples' among \(file.tensors.keys.sorted().joined(separator: ", "))")
        }
        let shape = tensor.shape
        let set: ImageSet
        if tensor.dtype == .u8, shape.count == 4, shape[3] == 3 {
            set = try ImageSet(count: shape[0], height: shape[1], width: shape[2], pixels: tensor.bytes)
        } else if tensor.dtype == .f32 || tensor.dtype == .f16, shape.count == 4, shape[1] == 3 {
            set = try ImageSet(signedNCHW: try tensor.floats(), count: shape[0], height: shape[2], width: shape[3])
        } else {
            throw FileFormatError(
                .unsupported, path: url.path,
                "tensor '\(name)' is \(tensor.dtype.rawValue) \(shape); expected F32 [N, 3, H, W] in [-1, 1] or U8 [N, H, W, 3]"
            )
        }
        return try subset(set, kind: "safetensors file ('\(name)')", url: url, maxImages: maxImages, seed: seed)
    }

    private static func subset(_ set: ImageSet, kind: String, url: URL, maxImages: Int?, seed: UInt64) throws
        -> EvaluationImages
    {
        guard set.count > 0 else { throw FileFormatError(.malformed, path: url.path, "holds no images") }
        let chosen = choose(set.count, maxImages: maxImages, seed: seed)
        return EvaluationImages(
            set: chosen.count == set.count ? set : set.subset(chosen), kind: kind, path: url.path,
            available: set.count, notes: [], inputFiles: [url])
    }
}
