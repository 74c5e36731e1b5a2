import Foundation

/// A file to download and the checksum it must have.
public struct RemoteFile: Equatable, Sendable {
    public var name: String
    /// Lowercase hexadecimal MD5 of the complete file.
    public var md5: String
    /// Size in bytes, if known (lets a complete `.part` file be recognised without the network).
    public var size: Int64?

    public init(name: String, md5: String, size: Int64? = nil) {
        self.name = name
        self.md5 = md5.lowercased()
        self.size = size
    }

    /// `.tgz` and `.tar.gz` files are unpacked after downloading.
    public var isArchive: Bool { name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz") }
}

/// What happened to each file during a fetch.
public struct FetchReport: Equatable, Sendable {
    public enum Action: String, Sendable {
        case downloaded
        case resumed
        case alreadyPresent = "already present"
        case unpacked
        case alreadyUnpacked = "already unpacked"
    }

    public struct Step: Equatable, Sendable {
        public var file: String
        public var action: Action
        public var detail: String
    }

    public var steps: [Step] = []
}
