import Foundation

/// An error of the data layer that is not about one malformed file (those are `FileFormatError`s):
/// a bad argument, a failed download, a checksum that does not match, an unsafe archive entry,
/// labels that contradict the images.
/// The message always says what was expected and what was found.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case invalidArgument = "invalid argument"
        case emptyDataset = "no images"
        case download = "download failed"
        case checksumMismatch = "checksum mismatch"
        case sizeMismatch = "size mismatch"
        case unsafeArchive = "unsafe archive"
        case refusedOverwrite = "refused to overwrite"
        /// Label or split files that contradict each other or the image files.
        case labelMismatch = "labels do not match the images"
        /// Images a dataset's own index lists but that are not there.
        case missingImages = "missing images"
        /// A long task stopped on request (Ctrl-C) before it finished; nothing was kept.
        case interrupted = "interrupted"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

extension DatasetError: LocalizedError {
    public var errorDescription: String? { description }
}
