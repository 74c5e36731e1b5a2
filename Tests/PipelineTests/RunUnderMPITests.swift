import Foundation
import TensorCore
import XCTest

/// `mpirun -np 2 pipeline run` on a tiny run: rank 0 runs every stage, and the three training
/// stages (the few-step distillation switched on) are trained by both ranks. Skipped (with the reason) where Open MPI's `mpirun` is not
/// installed; FMF_REQUIRE_MPI=1 turns the skip into a failure (CI).
final class RunUnderMPITests: XCTestCase {
    static let configuration = """
        preset: quick
        run: tiny
        stages:
          prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
          train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
          train-flow: { steps: 4, base: 16, multipliers: [1, 2], batch-size: 16, warmup: 1, eval-every: 0 }
          distill-flow: { enabled: true, steps: 2, pairs: 16, batch-size: 8, maximum-steps: 4, warmup-steps: 1 }
          generate: { count: 6, steps: 2 }
        """

    private func mpirun() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if let found = path.split(separator: ":").map({ "\($0)/mpirun" }).first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) {
            return found
        }
        let message = "Open MPI's mpirun is not on PATH (Debian: apt-get install openmpi-bin)"
        if ProcessInfo.processInfo.environment["FMF_REQUIRE_MPI"] == "1" { XCTFail(message) }
        throw XCTSkip(message)
    }

    func testTwoRanksRunTheRunAndTrainItsTrainingStagesTogether() throws {
        let folder = try makeTinyRunFolder(Self.configuration, prefix: "run-mpi")
        // As root, Open MPI wants to be told; oversubscribe and yield: two ranks may share a core.
        let run = try PipelineProcess.run(
            [
                "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", try mpirun(), "-np", "2",
                "--oversubscribe", "--mca", "mpi_yield_when_idle", "1", "--mca", "btl", "self,vader,tcp",
                try PipelineProcess.binary().path, "run", "--config", "tiny.yaml", "--threads", "1",
            ], in: folder, executable: URL(fileURLWithPath: "/usr/bin/env"))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("run 'tiny' complete"), run.stdout)
        // Rank 0 alone prints the run's lines: the plan's first line appears once.
        XCTAssertEqual(run.stdout.components(separatedBy: "[prepare]").count - 1, 1, run.stdout)
        for stage in ["autoencoder", "flow", "fewstep"] {
            let manifest = try String(
                contentsOf: folder.appendingPathComponent("artifacts/tiny/\(stage)/manifest.json"), encoding: .utf8)
            XCTAssertTrue(manifest.contains("\"ranks\" : 2"), "\(stage) trained on both ranks:\n\(manifest)")
        }
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("artifacts/tiny/samples/grid.png").path))

        // What rank 0 recorded is the whole truth of the run: a plain `status` finds it all done.
        let status = try PipelineProcess.run(["status", "--config", "tiny.yaml", "--check"], in: folder)
        XCTAssertEqual(status.status, 0, status.stdout + status.stderr)
    }

    /// Ctrl-C on `mpirun` (which passes SIGINT on to every rank) ends the training stage on both
    /// ranks after the same step: rank 0 writes its checkpoint, the job ends with a failure
    /// status, no rank is left running, and the next `pipeline run` would resume the stage.
    func testCtrlCOnMpirunStopsBothRanksAndTheRunWouldResume() throws {
        // Far more steps than the few seconds before the interrupt, a checkpoint every 20.
        let configuration = Self.configuration.replacingOccurrences(
            of: "train-flow: { steps: 4,", with: "train-flow: { steps: 5000, checkpoint-every: 20,")
        XCTAssertNotEqual(configuration, Self.configuration)
        let folder = try makeTinyRunFolder(configuration, prefix: "run-mpi-interrupt")
        let run = try PipelineProcess.run(
            [
                "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", try mpirun(), "-np", "2",
                "--oversubscribe", "--mca", "mpi_yield_when_idle", "1", "--mca", "btl", "self,vader,tcp",
                try PipelineProcess.binary().path, "run", "--config", "tiny.yaml", "--threads", "1",
            ], in: folder, executable: URL(fileURLWithPath: "/usr/bin/env")
        ) { process, output in
            try PipelineProcess.waitFor(output, toContain: "checkpoint at step 20", seconds: 300)
            // `env` has exec'd mpirun: the process started is mpirun itself.
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertNotEqual(run.status, 0, "an interrupted job ends with a failure status\n\(run.stdout)\n\(run.stderr)")
        XCTAssertTrue(run.stdout.contains("[train-flow] stopped"), run.stdout)
        XCTAssertEqual(
            run.stderr.components(separatedBy: "stop requested: finishing the current step").count - 1, 2,
            "both ranks saw the interrupt:\n\(run.stderr)")
        let flow = folder.appendingPathComponent("artifacts/tiny/flow")
        let checkpoint = try TrainingCheckpoint.load(from: flow.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertGreaterThanOrEqual(checkpoint.step, 20)
        XCTAssertLessThan(checkpoint.step, 5000)
        XCTAssertTrue(
            run.stdout.contains("stopped at step \(checkpoint.step)"), "the checkpoint is the stop's:\n\(run.stdout)")
        XCTAssertEqual(try processesWorking(in: folder), [], "no rank is left running")

        let plan = try PipelineProcess.run(["run", "--config", "tiny.yaml", "--dry-run"], in: folder)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("[train-flow] would resume"), plan.stdout)
    }

    /// The ids of the processes whose working folder is `folder`.
    private func processesWorking(in folder: URL) throws -> [Int32] {
        let target = folder.resolvingSymlinksInPath().path
        return try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { entry in
            guard let id = Int32(entry),
                let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")
            else { return nil }
            return cwd == target ? id : nil
        }
    }
}
