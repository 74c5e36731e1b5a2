import Foundation

/// Test-only: every path below a folder with its size and modification time, to show that
/// a folder was not written to.
struct FolderSnapshot: Equatable {
    var entries: [String: String]

    init(_ root: URL) throws {
        var entries: [String: String] = [:]
        let fm = FileManager.default
        let rootAttributes = try fm.attributesOfItem(atPath: root.path)
        entries["."] = "\(rootAttributes[.modificationDate] ?? "?")"
        for relative in try fm.subpathsOfDirectory(atPath: root.path) {
            let attributes = try fm.attributesOfItem(atPath: root.appendingPathComponent(relative).path)
            entries[relative] = "\(attributes[.size] ?? "?") \(attributes[.modificationDate] ?? "?")"
        }
        self.entries = entries
    }
}
