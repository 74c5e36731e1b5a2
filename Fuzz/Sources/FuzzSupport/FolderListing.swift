import Foundation

/// Every path below a folder (relative, "/"-separated), without following symbolic links, and
/// which of them are symbolic links: what the tar targets compare before and after unpacking.
public struct FolderListing: Equatable {
    public var paths: Set<String> = []
    public var symbolicLinks: Set<String> = []

    public init(_ root: URL) {
        let fm = FileManager.default
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root.path : root.path + "/" + relative
            for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = relative.isEmpty ? name : relative + "/" + name
                paths.insert(path)
                let attributes = try? fm.attributesOfItem(atPath: root.path + "/" + path)
                let type = attributes?[.type] as? FileAttributeType
                if type == .typeSymbolicLink { symbolicLinks.insert(path) }
                if type == .typeDirectory { pending.append(path) }
            }
        }
    }
}
