import Foundation
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
}
