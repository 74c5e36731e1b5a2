import DataParallel
import Foundation
import LatentFlow
import TensorCore

/// `distill-flow` on ranks 1…N−1 of a data-parallel job (docs/distributed.md): the same teacher,
/// rank 0's pairs and notes (`DistillFlowRanks`), with `--resume` the same checkpoint, the same
/// steps on other rows of each batch, and nothing written — no lock, pairs cache, checkpoint,
/// metrics, model or manifest (rank 0 does all of that) — and nothing printed but errors.
enum DistillFlowFollower {
    static func run(
        _ options: DistillFlowStage.Options, group: DataParallelGroup, base: URL,
        shouldStop: @escaping () -> Bool
    ) throws -> DistillFlowStage.Result {
        let folders = try ArtifactFolders(artifacts: options.artifacts, run: options.run, base: base)
        let output =
            options.output.map { ArtifactFolders.resolve($0, base: base) } ?? folders.stage(ArtifactFolders.fewStep)
        let checkpointURL = output.appendingPathComponent(DistillFlowStage.checkpointFile)
        // Rank 0 checks the teacher against train-flow's manifest; a follower with another file
        // starts another student, which `join` finds.
        let teacherURL =
            options.teacher.map { ArtifactFolders.resolve($0, base: base) }
            ?? folders.stage(ArtifactFolders.flow).appendingPathComponent(TrainFlowStage.modelFile)
        let teacher = try FlowModel.load(from: teacherURL)
        // As rank 0 does: a checkpoint's settings win over the options.
        let training =
            options.resume ? try FewStepTrainer.checkpointSettings(at: checkpointURL).config : options.training

        let pairs = try DistillFlowRanks.receivePairs(teacher: teacher, group: group)
        let notes = try DistillFlowRanks.shareNotes([:], group: group)
        let trainer: FewStepTrainer
        do {
            let batches = try ReflowPairBatches(
                pairs: pairs, statistics: teacher.statistics, batchSize: options.batchSize, seed: options.dataSeed)
            trainer = try FewStepTrainer(
                model: try teacher.student(for: training.method), config: training, batches: batches, notes: notes)
        } catch let error as FlowTrainingError {
            throw StageError("distill-flow (rank \(group.rank)): \(error.message)")
        }
        let end = try FollowerSession.train(
            trainer, resumingFrom: options.resume ? checkpointURL : nil, group: group, steps: options.steps,
            minutes: options.minutes, shouldStop: shouldStop)
        return DistillFlowStage.Result(
            folder: output, model: output.appendingPathComponent(DistillFlowStage.modelFile), steps: trainer.step,
            end: end, reusedPairs: false, trainingSeconds: trainer.trainingSeconds)
    }
}
