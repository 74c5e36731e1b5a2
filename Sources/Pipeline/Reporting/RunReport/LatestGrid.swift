import Foundation

/// The newest picture a training stage has made: the highest-numbered `grids/step-NNNNNN.png`
/// (the autoencoder's reconstructions, the flow's evaluation samples).
public enum LatestGrid {
    /// The file and its step, or nil when the stage has made none.
    public static func find(inStageFolder stage: URL) -> (url: URL, step: Int)? {
        let folder = stage.appendingPathComponent("grids")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let numbered = names.compactMap { name -> (String, Int)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".png"),
                let step = Int(name.dropFirst("step-".count).dropLast(".png".count))
            else { return nil }
            return (name, step)
        }
        guard let newest = numbered.max(by: { $0.1 < $1.1 }) else { return nil }
        return (folder.appendingPathComponent(newest.0), newest.1)
    }
}
