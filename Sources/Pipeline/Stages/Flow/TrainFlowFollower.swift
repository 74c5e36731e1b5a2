import DataParallel
import Foundation
import LatentFlow
import TensorCore

/// `train-flow` on ranks 1…N−1 of a data-parallel job (docs/distributed.md): the same data,
/// network and checkpoint as rank 0, the same steps on other rows of each batch, and nothing
/// written — no lock, checkpoint, metrics, evaluation, model or manifest (rank 0 does all of
/// that), and nothing printed but errors.
enum TrainFlowFollower {
    static func run(
        _ options: TrainFlowStage.Options, group: DataParallelGroup, base: URL,
        shouldStop: @escaping () -> Bool
    ) throws -> TrainFlowStage.Result {
        let start = ProgressReporter.monotonicSeconds()
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(options.space.folder)
        let checkpointURL = output.appendingPathComponent(TrainFlowStage.checkpointFile)
        // As rank 0 does: a checkpoint's settings win over the options.
        var training = options.training
        var resumeStep = 0
        var savedUNet: UNetConfig?
        if options.resume {
            let saved = try FlowTrainer.checkpointSettings(at: checkpointURL)
            training = saved.config
            resumeStep = saved.step
            savedUNet = saved.unet
        }
        let data = try TrainFlowStage.prepareData(
            options, folders: folders, base: base, startStep: resumeStep, write: { _ in })
        let unet = savedUNet ?? TrainFlowStage.unetConfig(options, classCount: data.classNames.count)
        let trainer: FlowTrainer
        do {
            trainer = try FlowTrainer(
                model: TrainFlowStage.initialModel(unet, training: training), config: training,
                statistics: data.statistics, source: data.source,
                notes: TrainFlowStage.trainerNotes(data, options))
        } catch let error as FlowTrainingError {
            throw StageError("train-flow (rank \(group.rank)): \(error.message)")
        }
        let end = try FollowerSession.train(
            trainer, resumingFrom: options.resume ? checkpointURL : nil, group: group, steps: options.steps,
            minutes: options.minutes, shouldStop: shouldStop)
        return TrainFlowStage.Result(
            folder: output, model: output.appendingPathComponent(TrainFlowStage.modelFile),
            steps: trainer.step, end: end, finalLoss: nil, imagesPerSecond: 0,
            seconds: ProgressReporter.monotonicSeconds() - start,
            trainingSeconds: trainer.trainingSeconds, lastSWD: nil)
    }
}

extension TrainFlowStage {
    /// The freshly initialised network of a run: the same on every rank, from the training seed.
    static func initialModel(_ unet: UNetConfig, training: FlowTrainingConfig) -> VelocityUNet {
        var generator = SeededGenerator(seed: SeedMixing.combine(training.seed, RandomStream.flowInitialization.salt))
        let network = VelocityUNet(unet, generator: &generator)
        if training.zeroInitialisedBranchOutputs == true { network.zeroInitialiseBranchOutputs() }
        return network
    }

    /// The notes the trainer stores in its checkpoints: the data's, and the space.
    static func trainerNotes(_ data: PreparedData, _ options: Options) -> [String: String] {
        var notes = data.notes
        notes["space"] = options.space.rawValue
        return notes
    }

    /// The communication cost of a data-parallel session, for the log and the manifest.
    static func communicationTimings(_ group: DataParallelGroup?) -> [String: Double] {
        guard let group else { return [:] }
        let statistics = group.statistics
        return [
            "ranks": Double(group.size), "allreduce": statistics.allreduceSeconds,
            "allreduce_exposed": statistics.exposedSeconds,
        ]
    }
}
