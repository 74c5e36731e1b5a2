import Foundation

/// An error of the data layer that is not about one malformed file (those are `FileFormatError`s):
/// a bad argument, a failed download, a checksum that does not match, an unsafe archive entry.
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
