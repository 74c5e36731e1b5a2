import Foundation

/// The read-only shared data folder: `FMF_SHARED_DIR`, or `../shared` beside the package root
/// (found by walking up from this file to the folder holding Package.swift).
enum SharedData {
    static var directory: URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["FMF_SHARED_DIR"], fm.fileExists(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                let shared = dir.deletingLastPathComponent().appendingPathComponent("shared")
                return fm.fileExists(atPath: shared.path) ? shared : nil
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
