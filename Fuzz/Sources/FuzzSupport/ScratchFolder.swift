import Foundation

/// A private temporary folder for one fuzzing process, emptied between inputs. Readers that
/// only take a path (HDF5, the tar extractor) get the input as a file in it.
public final class ScratchFolder {
    public let url: URL

    /// Creates `fmf-fuzz-<label>-<pid>` under the system temporary folder, empty.
    public init(_ label: String) {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fmf-fuzz-\(label)-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        create(url)
    }

    /// Writes `data` at `relativePath` inside the folder (creating sub-folders) and returns its URL.
    public func write(_ data: Data, to relativePath: String) -> URL {
        let file = url.appendingPathComponent(relativePath)
        create(file.deletingLastPathComponent())
        do {
            try data.write(to: file)
        } catch {
            fatalError("fuzz harness: cannot write \(file.path): \(error)")
        }
        return file
    }

    /// Creates a sub-folder and returns its URL.
    public func folder(_ relativePath: String) -> URL {
        let folder = url.appendingPathComponent(relativePath, isDirectory: true)
        create(folder)
        return folder
    }

    /// Removes everything inside the folder, so that one input cannot influence the next.
    public func empty() {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? [] {
            try? fm.removeItem(at: url.appendingPathComponent(name))
        }
    }

    private func create(_ folder: URL) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            fatalError("fuzz harness: cannot create \(folder.path): \(error)")
        }
    }
}
