import Foundation

/// The datasets `pipeline prepare` can read, behind one interface: each makes a `DatasetCatalog`
/// (items with a way to load their pixels, labels, subsets, names).
public enum DatasetSource: Equatable, Sendable {
    /// The official Oxford Flowers 102 layout (see `OxfordFlowers102`). With `allowMissingImages`
    /// images that `setid.mat` lists but `jpg/` lacks are skipped (and listed) instead of an error.
    case oxford(root: URL, allowMissingImages: Bool = false)
    /// Class folders or a flat folder of images (see `ImageFolder`), split at random.
    case folder(root: URL, split: RandomSplit)
    /// `count` procedurally drawn flowers in `classes` classes (see `SyntheticFlowers`).
    case synthetic(count: Int, classes: Int, seed: UInt64, split: RandomSplit)

    public var kind: DatasetCatalog.Kind {
        switch self {
        case .oxford: return .oxford
        case .folder: return .folder
        case .synthetic: return .synthetic
        }
    }

    /// Reads labels and lists images (no decoding). Every problem with label files, splits or
    /// the listing is reported here, before any image is processed.
    public func catalog() throws -> DatasetCatalog {
        switch self {
        case let .oxford(root, allowMissing):
            return try OxfordFlowers102.catalog(root: root, allowMissingImages: allowMissing)
        case let .folder(root, split):
            return try FolderCatalog.catalog(root: root, split: split)
        case let .synthetic(count, classes, seed, split):
            return try SyntheticCatalog.catalog(count: count, classes: classes, seed: seed, split: split)
        }
    }
}
