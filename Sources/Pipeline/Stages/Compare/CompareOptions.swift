import Datasets
import Foundation
import LatentFlow

extension CompareStage {
    /// What `pipeline compare` trains, samples and evaluates. Both models get the same training
    /// budget, and are sampled and evaluated with the same settings.
    public struct Options: Codable, Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        /// Training budget per model, over all its sessions (an interrupted one resumes and
        /// trains what is left of it). A complete model trained to another budget is not reused:
        /// compare stops and says so, the ablations retrain it. With neither `minutes` nor
        /// `steps`, complete models are reused whatever their budget.
        public var minutes: Double?
        /// Optional step budget per model (with or instead of `minutes`).
        public var steps: Int?
        /// Samples per model.
        public var count = 100
        /// Classes of the samples, as `generate --classes` takes them; "all" (the default) draws
        /// every class in turn, so the samples' class mix matches the class-balanced held-out set.
        public var classes = ["all"]
        /// Seed of the sampling noise and of the evaluation.
        public var seed: UInt64 = 0
        public var sampler = SamplerSettings()
        public var guidance: Float = 1
        /// Times at which the guidance applies (nil: all), as `generate --guidance-interval`.
        public var guidanceInterval: ClosedRange<Float>?
        /// Largest network batch when sampling (default: generate's).
        public var maximumBatch: Int?
        /// The autoencoder that decodes the latent samples (default: the run's
        /// `autoencoder/model.safetensors`), e.g. a fine-tuned decoder.
        public var autoencoder: String?
        /// At most this many images per set in the evaluation.
        public var evaluationMaxImages: Int?
        /// Held-out subsets of the dataset cache used as the real images.
        public var realSubsets: Set<DatasetSubset> = [.validation]
        /// Report folder (default `<artifacts>/<run>/reports/compare`).
        public var output: String?
        /// train-flow settings for a model that must be trained; run, artifacts, space, budget
        /// and resume/restart are set by compare.
        public var latentTraining = TrainFlowStage.Options()
        public var pixelTraining = TrainFlowStage.Options()

        public init() {}

        func validate() throws {
            if let minutes, !(minutes > 0) { throw StageError("--minutes must be positive, got \(minutes)") }
            if let steps, steps < 1 { throw StageError("--steps must be positive, got \(steps)") }
            guard count >= 2 && count <= 100_000 else {
                throw StageError("--count must be in 2...100000 (evaluation needs two images), got \(count)")
            }
            if let max = evaluationMaxImages, max < 2 {
                throw StageError("--eval-max-images must be at least 2, got \(max)")
            }
            guard !realSubsets.isEmpty else { throw StageError("--real-subset: at least one subset is needed") }
            do { try sampler.validate() } catch let error as FlowTrainingError {
                throw StageError("compare: \(error.message)")
            }
        }
    }

    /// The settings compare's `manifest.json` records.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        public var minutes: Double?
        public var steps: Int?
        public var count: Int
        /// nil in reports written before compare took `--classes`.
        public var classes: [String]?
        public var seed: UInt64
        public var sampler: SamplerSettings
        public var guidance: Float
        /// nil: everywhere (and in reports written before compare took `--guidance-interval`).
        public var guidanceInterval: ClosedRange<Float>?
        public var evaluationMaxImages: Int?
        public var realSubsets: [String]
    }
}
