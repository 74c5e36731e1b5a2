import Foundation

extension TrainAEStage {
    /// The configuration `manifest.json` of the autoencoder stage records (a `StageManifest`, as
    /// every stage's): the effective options, the steps, and the held-out evaluation.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        /// The options, with `steps` the schedule's horizon.
        public var options: TrainAEOptions
        /// The model file in the stage folder.
        public var model: String
        public var steps: Int
        public var evaluation: AutoencoderEvaluationReport?
    }

    public typealias Manifest = StageManifest<ManifestConfig>
}

/// `manifest.json` of the autoencoder stage as it was written before it became a `StageManifest`
/// (issue 24): read by the run report, so that older run folders keep their figures.
struct LegacyTrainAEManifest: Codable {
    struct Timings: Codable {
        var steps: Int
        var imagesPerSecond: Double
    }

    var timings: Timings
    var evaluation: AutoencoderEvaluationReport?
}
