import Foundation

/// How long a stage took, from the timings its `manifest.json` records. The stages record them in
/// a few shapes (a `total`, the dataset cache's `totalSeconds`, the autoencoder's training and
/// evaluation seconds), so the manifest is read as plain JSON rather than as one of its types.
public enum StageDuration {
    /// Seconds, or nil when the folder has no readable manifest with timings.
    public static func seconds(stageFolder: URL) -> Double? {
        let url = stageFolder.appendingPathComponent(StageFiles.manifest)
        guard let data = try? Data(contentsOf: url),
            let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return seconds(manifest: manifest)
    }

    public static func seconds(manifest: [String: Any]) -> Double? {
        let timings = manifest["timings"] as? [String: Any] ?? [:]
        for value in [timings["total"], timings["totalSeconds"], manifest["totalSeconds"]] {
            if let seconds = TrainingCurves.number(value), seconds.isFinite, seconds >= 0 { return seconds }
        }
        if let training = TrainingCurves.number(timings["trainingSeconds"]) {
            return training + (TrainingCurves.number(timings["evaluationSeconds"]) ?? 0)
        }
        return nil
    }
}
