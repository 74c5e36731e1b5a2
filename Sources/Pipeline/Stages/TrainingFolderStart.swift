import Foundation
import TensorCore

/// How a training stage (train-ae, train-flow, distill-flow) begins in its folder. Hours of
/// training are never lost to a rerun: `--resume` needs the checkpoint; without `--resume` or
/// `--restart` an existing checkpoint is refused, never overwritten; `--restart` moves the
/// folder's outputs aside to the run's `previous/` first (a trained model is never deleted).
enum TrainingFolderStart {
    /// Checks the folder against `--resume`/`--restart`; returns where a restart moved the
    /// previous outputs (nil: nothing was moved).
    static func prepare(
        stageFolder: URL, checkpoint: URL, model: URL, runFolder: URL, resume: Bool, restart: Bool,
        write: (String) -> Void
    ) throws -> URL? {
        let exists = FileManager.default.fileExists(atPath: checkpoint.path)
        if resume {
            guard exists else {
                throw StageError("\(checkpoint.path): no checkpoint to resume from; start without --resume")
            }
            return nil
        }
        if exists && !restart {
            let step = TrainingCheckpoint.step(at: checkpoint).map { " at step \($0)" } ?? ""
            throw StageError(
                "\(checkpoint.path): a training checkpoint\(step) exists; pass --resume to continue it, "
                    + "--restart to start over (its outputs are moved aside), or choose another --run/--output")
        }
        if FileManager.default.fileExists(atPath: model.path) && !restart {
            throw StageError(
                "\(model.path): a trained model exists (without its checkpoint, so it cannot be resumed); "
                    + "pass --restart to train a new one (the old outputs are moved aside), or choose another --run/--output"
            )
        }
        guard restart, let moved = try PreviousOutputs.moveAside(contentsOf: stageFolder, runFolder: runFolder) else {
            return nil
        }
        write("restart: the previous outputs of \(stageFolder.path) were moved to \(moved.path)\n")
        return moved
    }

    /// A resumed checkpoint already at the `--steps` budget has nothing left to train. If the
    /// stage is complete, that is an error (raise `--steps`); if not — the process ended after the
    /// last checkpoint but before the model and manifest were written — the stage is finished from
    /// the checkpoint without training, instead of being stuck until a retrain.
    static func checkStepBudget(
        resumedStep: Int, steps: Int?, checkpoint: URL, stageComplete: Bool, write: (String) -> Void
    ) throws {
        guard let steps, resumedStep >= steps else { return }
        if stageComplete {
            throw StageError(
                "\(checkpoint.path) is already at step \(resumedStep), the --steps budget is \(steps), and the stage is "
                    + "complete; raise --steps to train further")
        }
        write(
            "\(checkpoint.path) reached the --steps budget (\(steps)) before the stage was finished: "
                + "finishing it without training\n")
    }
}
