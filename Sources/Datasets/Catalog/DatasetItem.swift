import Foundation

/// One image of a dataset before preparation: where its pixels come from, its label and subset.
public struct DatasetItem: Equatable, Sendable {
    /// Where the pixels come from.
    public enum Origin: Equatable, Sendable {
        /// An image file (PNG or JPEG, recognised by content).
        case file(URL)
        /// Image `index` of the catalog's synthetic generator.
        case synthetic(index: Int)
    }

    /// A stable name: the path relative to the source folder ("jpg/image_00001.jpg"), or
    /// "synthetic/000017" for generated images. Stored in the cache's `files` dataset.
    public var name: String
    /// Class id, 0-based.
    public var label: Int
    public var subset: DatasetSubset
    public var origin: Origin

    public init(name: String, label: Int, subset: DatasetSubset, origin: Origin) {
        self.name = name
        self.label = label
        self.subset = subset
        self.origin = origin
    }
}

/// A file left out of a dataset, and why (shown to the user and kept in the manifest).
public struct SkippedFile: Codable, Equatable, Sendable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}
