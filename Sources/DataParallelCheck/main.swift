import DataParallel
import Foundation
import LatentFlow
import TensorCore

#if canImport(Glibc)
    import Glibc
#endif

// `data-parallel-check`: trains a tiny flow on made-up data, alone or as the ranks of an MPI job
// (`mpirun -np N data-parallel-check …`), and leaves rank 0's checkpoint in --output. The tests
// compare the checkpoints of one process and of N ranks (DataParallelTests/MPIEquivalenceTests),
// and kill a rank on purpose (--die-rank, --die-after) to see the job fail and resume.
//
// Options: --output FILE --steps K [--batch B] [--checkpoint-every E] [--resume]
//          [--die-rank R --die-after S] (rank R kills itself with SIGKILL after step S)

struct Arguments {
    var output = ""
    var steps = 4
    var batch = 6
    var checkpointEvery = 1000
    var resume = false
    var dieRank: Int?
    var dieAfter: Int?

    init(_ list: [String]) throws {
        var list = list[...]
        func value(_ name: String) throws -> String {
            guard let value = list.popFirst() else { throw DataParallelError("\(name) needs a value") }
            return value
        }
        func integer(_ name: String) throws -> Int {
            let text = try value(name)
            guard let number = Int(text) else { throw DataParallelError("\(name): '\(text)' is not an integer") }
            return number
        }
        while let name = list.popFirst() {
            switch name {
            case "--output": output = try value(name)
            case "--steps": steps = try integer(name)
            case "--batch": batch = try integer(name)
            case "--checkpoint-every": checkpointEvery = try integer(name)
            case "--resume": resume = true
            case "--die-rank": dieRank = try integer(name)
            case "--die-after": dieAfter = try integer(name)
            default: throw DataParallelError("unknown option \(name)")
            }
        }
        guard !output.isEmpty else { throw DataParallelError("--output FILE is required") }
    }
}

/// A two-level UNet on 2×8×8 samples of 3 classes: seconds per step, yet every kind of layer
/// (convolutions, group norm, attention, embeddings) and the whole trainer (OT pairing, label
/// dropout, clipping, AdamW, EMA) takes part.
func makeTrainer(batch: Int) throws -> FlowTrainer {
    let unet = UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1)
    var generator = SeededGenerator(seed: 7)
    let model = VelocityUNet(unet, generator: &generator)
    var config = FlowTrainingConfig()
    config.learningRate = 1e-3
    config.warmupSteps = 2
    config.scheduleSteps = 20
    config.optimalTransport = true
    config.emaDecay = 0.9
    config.gradientClip = 1
    config.seed = 11
    let shape = [2, 8, 8]
    let source = ClosureBatchSource(sampleShape: shape) { step in
        var generator = SeededGenerator(seed: SeedMixing.combine(5, UInt64(step)))
        let data = Initialization.normal(shape: [batch] + shape, generator: &generator)
        return FlowBatch(data: data, labels: (0..<batch).map { ($0 + step) % 3 })
    }
    return try FlowTrainer(model: model, config: config, statistics: .identity(channels: 2), source: source)
}

func main() -> Int32 {
    do {
        let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
        let group = try DataParallelGroup.fromEnvironment()
        let trainer = try makeTrainer(batch: arguments.batch)
        let url = URL(fileURLWithPath: arguments.output)
        if arguments.resume { try trainer.resume(from: url) }
        if let group { try trainer.join(group) }
        let rank = group?.rank ?? 0
        let checkpoints =
            rank == 0
            ? CheckpointCadence(every: arguments.checkpointEvery) { _ in try trainer.saveCheckpoint(to: url) } : nil
        let loop = TrainingLoop(
            trainer: trainer, budget: TrainingBudget(steps: arguments.steps), checkpoints: checkpoints)
        try loop.run(onStep: { report in
            if rank == arguments.dieRank, let after = arguments.dieAfter, report.step >= after {
                // A crash, not an error: no message, no MPI_Abort, no clean-up.
                kill(getpid(), SIGKILL)
            }
        })
        MPIJob.end(success: true)
        return 0
    } catch {
        fputs("error: \(error)\n", stderr)
        MPIJob.end(success: false, message: String(describing: error))
        return 1
    }
}

exit(main())
