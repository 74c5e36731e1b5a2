import Foundation

/// A fresh folder under the system's temporary directory, removed when the test ends.
final class TemporaryDirectory {
    let url: URL

    init(_ name: String = "datasets-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` at `relativePath`, creating folders on the way.
    @discardableResult
    func write(_ relativePath: String, _ data: Data = Data([1, 2, 3])) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file
    }
}
