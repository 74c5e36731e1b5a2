import Foundation

/// An error reading or writing a file: it always names the file and says what is wrong,
/// so a user can act on it without a debugger.
public struct FileFormatError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case notFound = "not found"
        case unreadable = "unreadable"
        case truncated = "truncated"
        case badMagic = "not the expected format"
        case malformed = "malformed"
        case unsupported = "unsupported"
        case writeFailed = "write failed"
    }

    public let kind: Kind
    public let path: String
    public let message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(kind.rawValue): \(message)" }
}

extension FileFormatError: LocalizedError {
    public var errorDescription: String? { description }
}
