import Foundation
import XCTest

extension XCTestCase {
    /// A new working folder holding `configuration` as `tiny.yaml`, removed when the test ends:
    /// where the end-to-end tests run `pipeline` on tiny settings.
    func makeTinyRunFolder(_ configuration: String, prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(configuration.utf8).write(to: folder.appendingPathComponent("tiny.yaml"))
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }
}
