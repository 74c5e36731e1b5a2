import Foundation
import TensorCore

/// What `pipeline bench --json` prints on standard output: one document with the machine, the
/// sgemm measurements and, for a preset, its training-step or sampling-pass timings, so scripts
/// need not parse the human-readable lines (those go to standard error).
public struct BenchDocument: Encodable {
    /// Training steps of a reference network (`--preset`).
    public struct Training: Encodable {
        public var preset: String
        public var parameters: Int
        public var referenceParameters: Int
        public var batch: Int
        public var stepSeconds: [Double]
        public var medianStepSeconds: Double
        public var imagesPerSecond: Double
        public var achievedGFLOPS: Double
        public var peakMemoryBytes: Int

        public init(_ result: TrainingBenchmarkResult) {
            preset = result.preset.rawValue
            parameters = result.parameterCount
            referenceParameters = result.preset.referenceParameterCount
            batch = result.batch
            stepSeconds = result.stepSeconds
            medianStepSeconds = result.medianStepSeconds
            imagesPerSecond = result.imagesPerSecond
            achievedGFLOPS = result.achievedGFLOPs
            peakMemoryBytes = result.peakMemoryBytes
        }
    }

    /// Inference passes of a flow UNet (`--preset … --sampling`).
    public struct Sampling: Encodable {
        public var preset: String
        public var batch: Int
        public var passSeconds: [Double]
        public var medianPassSeconds: Double
        public var achievedGFLOPS: Double
        public var peakMemoryBytes: Int

        public init(_ result: SamplingBenchmark.Result) {
            preset = result.preset.rawValue
            batch = result.batch
            passSeconds = result.passSeconds
            medianPassSeconds = result.medianPassSeconds
            achievedGFLOPS = result.achievedGFLOPs
            peakMemoryBytes = result.peakMemoryBytes
        }
    }

    public var date = ISO8601DateFormatter().string(from: Date())
    public var machine: MachineSummary
    /// Every shape measured (`--sgemm`), or the one reference shape a preset is compared with.
    public var sgemm: [SGEMMReport.Entry] = []
    public var sgemmReferenceGFLOPS: Double?
    public var training: Training?
    public var sampling: Sampling?
    /// Training steps shared by the ranks of an MPI job (`mpirun -np N pipeline bench --preset …`).
    public var dataParallel: DataParallelBenchmark.Result?
    /// Files written by `--export`.
    public var exported: [String] = []
    /// Ctrl-C or SIGTERM ended the benchmark before it measured everything.
    public var stopped = false

    public init(machine: MachineSummary) {
        self.machine = machine
    }

    /// The document as text; a rate of a run stopped before its first timing (NaN) is written as
    /// the string "nan" rather than failing.
    public func text() throws -> String {
        String(decoding: try NonFiniteJSON.encoder().encode(self), as: UTF8.self)
    }
}
