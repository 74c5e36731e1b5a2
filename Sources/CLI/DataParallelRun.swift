import DataParallel
import Foundation
import Pipeline

/// `mpirun -np N pipeline run` (docs/distributed.md): rank 0 is the run — it plans, takes the
/// locks, keeps the ledger and the report, and runs every stage — and before each stage that
/// trains data-parallel it tells the other ranks which stage and with which arguments. They run
/// that stage's command with it, as followers that write nothing, and wait for the next one;
/// the stages that do not train (prepare, encode, generate, evaluate…) are rank 0's alone.
///
/// The arguments are rank 0's own, after its plan: the other ranks never read the configuration
/// or the ledger, so they cannot disagree with it about what to run or resume.
enum DataParallelRun {
    /// The stages whose command trains across ranks (their trainers join the job's group).
    static func trainsAcrossRanks(_ stage: RunStage) -> Bool {
        switch stage {
        case .trainAE, .finetuneDecoder, .trainFlow, .trainPixel, .distillFlow: return true
        default: return false
        }
    }

    /// Rank 0: the next stage the other ranks run with it, or nil when the run is over (then they
    /// return). One broadcast of the length, one of the text: the ranks wait in the first.
    static func announce(_ next: (stage: RunStage, arguments: [String])?, to group: DataParallelGroup) throws {
        guard let next else {
            _ = try group.rank0Decision([-1])
            return
        }
        let words = [next.stage.rawValue] + next.arguments
        let bytes = Array(try JSONEncoder().encode(words))
        _ = try group.rank0Decision([Int64(bytes.count)])
        _ = try group.rank0Decision(bytes.map { Int64($0) })
    }

    /// Ranks 1…N−1: run each stage rank 0 announces until it says the run is over.
    static func follow(_ group: DataParallelGroup) throws {
        while true {
            let count = try group.rank0Decision([0])[0]
            guard count >= 0 else { return }
            let codes = try group.rank0Decision([Int64](repeating: 0, count: Int(count)))
            let words = try JSONDecoder().decode([String].self, from: Data(codes.map { UInt8(truncatingIfNeeded: $0) }))
            guard let name = words.first, let stage = RunStage(rawValue: name), trainsAcrossRanks(stage) else {
                throw CLIError(
                    "rank \(group.rank): rank 0 announced '\(words.first ?? "")', not a stage that trains across ranks")
            }
            var command = try StageCommands.parse(stage, Array(words.dropFirst()))
            try command.run()
        }
    }
}
