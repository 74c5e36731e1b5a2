import LatentFlow

extension DistillFlowStage {
    /// The stage's typed options: the one home of every default (`DistillFlowCommand` takes its
    /// defaults from here).
    public struct Options: Codable, Equatable, Sendable {
        public var run = ArtifactFolders.defaultRun
        public var artifacts = ArtifactFolders.defaultArtifacts
        /// The teacher flow (default `<artifacts>/<run>/flow/model.safetensors`, checked against
        /// train-flow's manifest).
        public var teacher: String?
        /// The output folder (default `<artifacts>/<run>/fewstep`).
        public var output: String?
        /// Teacher pairs (noise, endpoint) to sample and train on.
        public var pairs = 2048
        /// Seeds the pairs' noise; not generate's seed (0), so the student is not trained on the
        /// very noise its samples are judged with.
        public var pairSeed: UInt64 = 7
        /// The teacher's sampler for the pairs: solver, steps, shift and tolerances, all of them part of
        /// the pairs' provenance (generate's in `pipeline run`).
        public var teacherSampler = SamplerSettings()
        /// Pairs per call of the teacher's sampler (memory against speed; under MPI the ranks
        /// split these batches). The pairs do not depend on it.
        public var teacherBatch = ReflowPairs.samplingBatch
        /// The guidance baked into the student: the teacher is sampled with it (generate's in `pipeline run`).
        public var guidance: Float = 1
        public var guidanceInterval: ClosedRange<Float>?
        public var batchSize = 64
        public var training = FewStepTrainingConfig()
        /// Seeds the order of the pair batches.
        public var dataSeed: UInt64 = 0
        public var steps: Int?
        public var minutes: Double?
        public var checkpointEvery = 500
        public var logEvery = 50
        public var resume = false
        /// Start afresh: the folder's checkpoint and outputs are moved to `<run>/previous/`.
        public var restart = false

        public init() {}

        public var effectiveGuidanceInterval: ClosedRange<Float> { guidanceInterval ?? 0...1 }
    }
}
