import DataParallel
import Foundation
import LatentFlow
import TensorCore

/// `mpirun -np N pipeline bench --preset latent-unet|pixel-unet`: flow-matching training steps of
/// the preset's UNet on random data, the global batch shared by the N ranks of the job, with the
/// cost of averaging the gradients (docs/distributed.md). `Scripts/bench_ranks.py` runs it for
/// several N and works out the scaling efficiency.
public enum DataParallelBenchmark {
    public struct Result: Encodable, Sendable {
        public var preset: String
        public var ranks: Int
        public var globalBatch: Int
        public var parameters: Int
        /// Rank 0's timed steps (synchronous training: every rank ends a step together).
        public var stepSeconds: [Double]
        public var medianStepSeconds: Double
        public var imagesPerSecond: Double
        /// Per timed step, on rank 0: seconds inside the gradient allreduce calls, and the part of
        /// them that backward did not hide (the step waited for it).
        public var allreduceSecondsPerStep: Double
        public var exposedAllreduceSecondsPerStep: Double
        /// Gradient bytes each rank reduces per step, and the bucket size.
        public var bytesPerStep: Int
        public var bucketBytes: Int
    }

    public static func run(
        preset: BenchmarkPreset, batch: Int, steps: Int, warmup: Int = 2,
        group: DataParallelGroup, shouldStop: () -> Bool = { false }
    ) throws -> Result {
        guard preset != .aelite else {
            throw StageError("data-parallel bench times the flow UNets: --preset latent-unet or pixel-unet")
        }
        guard batch >= group.size else { throw StageError("--batch \(batch) is smaller than the \(group.size) ranks") }
        let unet = preset == .latentUNet ? UNetConfig.latent : UNetConfig.pixel
        var generator = SeededGenerator(seed: 0)
        let model = VelocityUNet(unet, generator: &generator)
        let shape = [unet.channels] + Array(preset.inputShape.dropFirst())
        let classes = unet.classCount
        let source = ClosureBatchSource(sampleShape: shape) { step in
            var generator = SeededGenerator(seed: SeedMixing.combine(0xBE_4C, UInt64(step)))
            return FlowBatch(
                data: Initialization.normal(shape: [batch] + shape, generator: &generator),
                labels: (0..<batch).map { _ in generator.integer(below: classes) })
        }
        var config = FlowTrainingConfig()
        config.scheduleSteps = warmup + steps
        let trainer = try FlowTrainer(
            model: model, config: config, statistics: .identity(channels: unet.channels), source: source)
        try trainer.join(group)
        var seconds: [Double] = []
        var before = group.statistics
        for step in 0..<(warmup + steps) {
            if step == warmup { before = group.statistics }
            // Rank 0's stop request, for every rank (as training does).
            if try group.rank0Decision([shouldStop() ? 1 : 0])[0] != 0 { break }
            let report = try trainer.trainStep()
            if step >= warmup { seconds.append(report.seconds) }
        }
        let after = group.statistics
        let timed = max(after.steps - before.steps, 1)
        let median = seconds.isEmpty ? .nan : seconds.sorted()[seconds.count / 2]
        return Result(
            preset: preset.rawValue, ranks: group.size, globalBatch: batch, parameters: model.parameterCount,
            stepSeconds: seconds, medianStepSeconds: median, imagesPerSecond: Double(batch) / median,
            allreduceSecondsPerStep: (after.allreduceSeconds - before.allreduceSeconds) / Double(timed),
            exposedAllreduceSecondsPerStep: (after.exposedSeconds - before.exposedSeconds) / Double(timed),
            bytesPerStep: (after.bytes - before.bytes) / timed, bucketBytes: group.bucketCapacityBytes)
    }

    /// The readable summary rank 0 prints.
    public static func summary(_ result: Result) -> String {
        "data parallel, \(result.preset): \(result.ranks) ranks, global batch \(result.globalBatch), "
            + "step \(ReportFormat.duration(result.medianStepSeconds)) (median of \(result.stepSeconds.count)), "
            + "\(ReportFormat.number(result.imagesPerSecond)) img/s; allreduce \(ReportFormat.duration(result.allreduceSecondsPerStep)) "
            + "per step, \(ReportFormat.duration(result.exposedAllreduceSecondsPerStep)) not hidden by backward; "
            + "\(ReportFormat.bytes(result.bytesPerStep)) per step in buckets of \(ReportFormat.bytes(result.bucketBytes))"
    }
}
