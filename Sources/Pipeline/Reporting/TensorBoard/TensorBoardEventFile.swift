import FileFormats
import Foundation

/// Reading event files back: every record checked against its checksums, then decoded. Used by
/// the tests and by anything that wants to check what training logged.
public enum TensorBoardEventFile {
    /// The events of one file, in order.
    public static func read(_ url: URL) throws -> [TensorBoardEvent] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileFormatError(
                .unreadable, path: url.path, "cannot read the event file: \(error.localizedDescription)")
        }
        return try TensorBoardRecords.split(Array(data), path: url.path).enumerated().map { index, record in
            do {
                return try TensorBoardEvent.decode(record)
            } catch {
                throw FileFormatError(
                    .malformed, path: url.path, "record \(index + 1) is not an Event message: \(error)")
            }
        }
    }

    /// The event files of a stage's `events/` folder, in the order TensorBoard reads them (by name).
    public static func files(inStageFolder stage: URL) -> [URL] {
        let folder = stage.appendingPathComponent(TrainingEventLog.folderName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.contains("tfevents") }.sorted().map { folder.appendingPathComponent($0) }
    }
}
