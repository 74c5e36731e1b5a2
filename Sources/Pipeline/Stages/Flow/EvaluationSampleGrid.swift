import FileFormats
import Foundation

/// The samples of one training evaluation as a picture: `grids/step-NNNNNN.png` in the stage
/// folder (the newest is what `pipeline serve`'s live page shows while a flow trains) and an
/// image in TensorBoard. The samples are the evaluation's fixed batch, class after class, so the
/// grids of successive evaluations show the same noise as the weights change.
enum EvaluationSampleGrid {
    static let folder = "grids"
    static let tag = "evaluation_samples"

    /// Writes the grid; a failure is reported through `warn`, never fatal (a picture must not
    /// end a long training run).
    static func save(_ images: [RGBImage], step: Int, stage: URL, events: TrainingEventLog?, warn: (String) -> Void) {
        guard !images.isEmpty else { return }
        let picture = ImageGrid.make(images, columns: columns(count: images.count))
        let folder = stage.appendingPathComponent(folder)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try PNGImage.write(picture, to: folder.appendingPathComponent(String(format: "step-%06d.png", step)))
        } catch {
            warn("the evaluation's sample grid at step \(step) was not saved in \(folder.path): \(error)")
        }
        events?.image(tag, picture, step: step)
    }

    /// About square, at most 16 wide.
    static func columns(count: Int) -> Int {
        min(16, max(1, Int(Double(count).squareRoot().rounded(.up))))
    }
}
