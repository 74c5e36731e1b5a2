import Foundation

extension AblationStage {
    /// What `pipeline compare --variants` trains, samples and evaluates.
    public struct Options: Equatable, Sendable {
        /// Run, budget, sampler, evaluation and the baseline train-flow settings
        /// (`latentTraining` / `pixelTraining`, by `space`), all as compare uses them. Its
        /// `output` is the report folder (default `<artifacts>/<run>/reports/ablations`).
        public var compare = CompareStage.Options()
        /// The variants; `baseline` is added in front if missing (see `AblationVariant.parse`).
        public var variants: [AblationVariant] = [.baseline]
        /// Training seeds 0..<seeds per variant (training and data seed alike).
        public var seeds = 2
        /// The space the variants are trained in.
        public var space: TrainFlowStage.Space = .latent

        public init() {}

        /// The variants to run, baseline first, without repeats.
        var effectiveVariants: [AblationVariant] { AblationVariant.normalized(variants) }

        func validate() throws {
            guard seeds >= 1 && seeds <= 1000 else { throw StageError("--seeds must be in 1...1000, got \(seeds)") }
            try compare.validate()
            guard compare.minutes != nil || compare.steps != nil else {
                throw StageError(
                    "compare --variants trains every variant: give a training budget with --minutes M and/or --train-steps N"
                )
            }
        }
    }

    /// The settings the ablations' `manifest.json` records.
    public struct ManifestConfig: Codable, Equatable, Sendable {
        public var compare: CompareStage.ManifestConfig
        public var variants: [AblationVariant]
        public var seeds: Int
        public var space: TrainFlowStage.Space
    }
}
