import FileFormats
import Foundation

/// Where the outputs of a stage go when the stage is redone: never deleted, moved (renamed, so
/// instantly and without copying) into `<run>/previous/<stage folder>-<UTC time>/`, from where
/// a user can move them back or delete them.
public enum PreviousOutputs {
    public static let folderName = "previous"

    /// Moves everything in `folder` but hidden files (the lock held while this runs, and
    /// temporaries) into a new folder under `<runFolder>/previous/`, and returns it; nil when
    /// there was nothing to move. A folder outside `runFolder` keeps its previous outputs beside
    /// it, in `<parent>/previous/`.
    @discardableResult
    public static func moveAside(contentsOf folder: URL, runFolder: URL, now: Date = Date()) throws -> URL? {
        let manager = FileManager.default
        let names = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
        guard !names.isEmpty else { return nil }
        let run = runFolder.standardizedFileURL.path
        let path = folder.standardizedFileURL.path
        let inside = path.hasPrefix(run + "/")
        let home = (inside ? runFolder : folder.deletingLastPathComponent()).appendingPathComponent(folderName)
        let label = inside ? String(path.dropFirst(run.count + 1)) : folder.lastPathComponent
        let destination = try freshFolder(
            in: home, named: label.replacingOccurrences(of: "/", with: "-") + "-" + timestamp(now))
        for name in names {
            do {
                try manager.moveItem(
                    at: folder.appendingPathComponent(name), to: destination.appendingPathComponent(name))
            } catch {
                throw FileFormatError(
                    .writeFailed, path: folder.appendingPathComponent(name).path,
                    "cannot move it aside to \(destination.path): \(error.localizedDescription)")
            }
        }
        return destination
    }

    /// `20261207T031500Z`: sorts by time, valid in every file system.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// `home/name`, or `home/name-2`, `-3`… when taken (two redos within a second).
    private static func freshFolder(in home: URL, named name: String) throws -> URL {
        let manager = FileManager.default
        for attempt in 1...1000 {
            let candidate = home.appendingPathComponent(attempt == 1 ? name : "\(name)-\(attempt)")
            if manager.fileExists(atPath: candidate.path) { continue }
            do {
                try manager.createDirectory(at: candidate, withIntermediateDirectories: true)
            } catch {
                throw FileFormatError(
                    .writeFailed, path: candidate.path,
                    "cannot create the folder for previous outputs: \(error.localizedDescription)")
            }
            return candidate
        }
        throw FileFormatError(.writeFailed, path: home.path, "no free folder name for \(name)")
    }
}
