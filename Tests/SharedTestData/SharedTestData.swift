import Foundation
import XCTest

/// The read-only shared reference data (`../shared` beside the repository, or `FMF_SHARED_DIR`):
/// PyTorch golden tensors and the development copy of Oxford Flowers 102. Every test that needs
/// it asks here, so that its absence is handled one way:
/// - normally a missing folder or file skips the test with a message saying what is missing;
/// - with `FMF_REQUIRE_SHARED=1` (CI sets it) it fails the test instead, because there a skip
///   would let a run pass without ever checking against the reference data.
public enum SharedTestData {
    /// The variable that turns a missing shared folder from a skip into a failure.
    public static let requireVariable = "FMF_REQUIRE_SHARED"

    /// A file or folder inside the shared data folder; throws a skip (or, when required, a failure)
    /// naming what is missing and where it was looked for.
    public static func url(_ relativePath: String) throws -> URL {
        guard let shared = folder() else {
            throw missing(
                "the shared data folder was not found (expected ../shared next to the package, or set FMF_SHARED_DIR)")
        }
        let url = shared.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw missing("shared data \(relativePath) is not present in \(shared.path)")
        }
        return url
    }

    /// `FMF_SHARED_DIR` if set, else `../shared` beside the folder holding Package.swift.
    static func folder() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["FMF_SHARED_DIR"], !env.isEmpty {
            return fm.fileExists(atPath: env) ? URL(fileURLWithPath: env, isDirectory: true) : nil
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                let shared = dir.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
                return fm.fileExists(atPath: shared.path) ? shared : nil
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// A missing-data failure when required: thrown from a test, an error that is not a skip fails it.
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func missing(_ message: String) -> Error {
        if ProcessInfo.processInfo.environment[requireVariable] == "1" {
            return Missing(description: "\(message); \(requireVariable)=1 makes this a failure")
        }
        return XCTSkip(message)
    }
}
