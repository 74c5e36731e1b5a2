import FileFormats
import Foundation

/// Everything known about a dataset before any image is decoded: its items (name, label, subset,
/// where the pixels come from), class names, the files that define its labels, and anything left
/// out while reading it. Made by `DatasetSource.catalog()`; `DatasetPreparer` turns it into a cache.
public struct DatasetCatalog: Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case oxford, folder, synthetic
    }

    public var kind: Kind
    /// The source folder (nil for synthetic images). Never written to.
    public var root: URL?
    /// Class names by 0-based class id.
    public var classNames: [String]
    public var items: [DatasetItem]
    /// Files that define labels and splits (`imagelabels.mat`, `setid.mat`, `cat_to_name.json`);
    /// the manifest records their SHA-256.
    public var labelFiles: [URL]
    /// Files left out while reading the catalog (e.g. listed but absent in a partial copy).
    public var skipped: [SkippedFile]
    /// Remarks for the user, e.g. images that belong to no split and were ignored.
    public var notes: [String]
    /// The settings that produced the catalog (seed, fractions, counts), for the manifest.
    public var parameters: [String: String]
    /// Renders the `.synthetic` items.
    let generator: SyntheticFlowers?

    init(
        kind: Kind, root: URL?, classNames: [String], items: [DatasetItem], labelFiles: [URL] = [],
        skipped: [SkippedFile] = [], notes: [String] = [], parameters: [String: String] = [:],
        generator: SyntheticFlowers? = nil
    ) {
        self.kind = kind
        self.root = root
        self.classNames = classNames
        self.items = items
        self.labelFiles = labelFiles
        self.skipped = skipped
        self.notes = notes
        self.parameters = parameters
        self.generator = generator
    }

    /// The items read from files, with their names (synthetic items have none).
    var fileItems: [(name: String, url: URL)] {
        items.compactMap { item in
            guard case .file(let url) = item.origin else { return nil }
            return (item.name, url)
        }
    }

    /// Number of items in each subset.
    public func count(of subset: DatasetSubset) -> Int { items.reduce(0) { $0 + ($1.subset == subset ? 1 : 0) } }

    /// The pixels of `item`. Files are decoded whatever their format's colour layout (gray, alpha,
    /// 16-bit, palette, CMYK all become RGB8); synthetic images are rendered at `side` × `side`
    /// (files ignore `side`: resizing is the caller's business).
    /// - Throws: the decoder's `FileFormatError` (naming the file) for unreadable or corrupt files.
    public func loadImage(_ item: DatasetItem, side: Int) throws -> RGBImage {
        try load(item, side: side).image
    }

    /// The image and, for files, the SHA-256 and size of the bytes it was decoded from (hashing
    /// the bytes already in memory costs far less than decoding them).
    func load(_ item: DatasetItem, side: Int) throws -> LoadedImage {
        switch item.origin {
        case .file(let url):
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                let exists = FileManager.default.fileExists(atPath: url.path)
                throw FileFormatError(
                    exists ? .unreadable : .notFound, path: url.path,
                    exists ? "cannot read: \(error.localizedDescription)" : "no such file")
            }
            let image = try ImageFile.decode(data, path: url.path)
            let start = DispatchTime.now().uptimeNanoseconds
            let digest = SHA256.hash(data)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            return LoadedImage(image: image, digest: digest, byteCount: data.count, hashSeconds: seconds)
        case .synthetic(let index):
            guard let generator else {
                throw DatasetError(.invalidArgument, "\(item.name): a synthetic item in a catalog without a generator")
            }
            return LoadedImage(
                image: try generator.image(index: index, size: side), digest: nil, byteCount: 0,
                hashSeconds: 0)
        }
    }
}

/// A decoded image with the fingerprint of its file, if it came from one.
struct LoadedImage {
    var image: RGBImage
    var digest: SHA256Digest?
    var byteCount: Int
    /// Time spent hashing the bytes (reported in the manifest to show what the hash costs).
    var hashSeconds: Double
}
