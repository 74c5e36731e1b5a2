import Foundation
import XCTest

/// `pipeline run` with the optional few-step stage switched on, at tiny sizes, then `generate`
/// with the model it made.
final class DistillFlowEndToEndTests: XCTestCase {
    static let configuration = """
        preset: quick
        run: tiny
        stages:
          prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
          train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
          train-flow: { steps: 4, base: 16, multipliers: [1, 2], batch-size: 16, warmup: 1 }
          distill-flow: { steps: 3, pairs: 16, batch-size: 8, maximum-steps: 4, warmup-steps: 1 }
          generate: { count: 6, steps: 2, guidance: 2 }
        """

    func testRunMakesAFewStepModelThatGenerateSamplesInTwoSteps() throws {
        let folder = try makeTinyRunFolder(Self.configuration, prefix: "run-fewstep")
        let off = try PipelineProcess.run(["run", "--config", "tiny.yaml", "--threads", "1", "--dry-run"], in: folder)
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertTrue(
            off.stdout.split(separator: "\n").contains { $0.hasPrefix("[distill-flow]") && $0.contains("not enabled") },
            "off unless enabled:\n\(off.stdout)")

        let run = try PipelineProcess.run(
            ["run", "--config", "tiny.yaml", "--threads", "1", "--set", "distill-flow.enabled=true"],
            in: folder)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let model = "artifacts/tiny/fewstep/model.safetensors"
        for file in [model, "artifacts/tiny/fewstep/reflow-pairs.h5", "artifacts/tiny/fewstep/manifest.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        let manifest = try String(
            contentsOf: folder.appendingPathComponent("artifacts/tiny/fewstep/manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"guidance\" : 2"), "generate's guidance is the one distilled:\n\(manifest)")

        let generate = try PipelineProcess.run(
            [
                "generate", "--run", "tiny", "--model", model, "--steps", "2",
                "--output", "artifacts/tiny/fewstep-samples", "--threads", "1",
            ], in: folder)
        XCTAssertEqual(generate.status, 0, generate.stdout + generate.stderr)
        XCTAssertTrue(generate.stdout.contains("few-step (shortcut)"), generate.stdout)
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("artifacts/tiny/fewstep-samples/grid.png").path))

        let bad = try PipelineProcess.run(
            [
                "generate", "--run", "tiny", "--model", model, "--steps", "3",
                "--output", "artifacts/tiny/bad", "--threads", "1",
            ], in: folder)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("samples in 1, 2, 4 steps, not 3"), bad.stderr)

        let again = try PipelineProcess.run(
            ["run", "--config", "tiny.yaml", "--threads", "1", "--set", "distill-flow.enabled=true"],
            in: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(
            again.stdout.split(separator: "\n").contains {
                $0.hasPrefix("[distill-flow]") && $0.contains("up to date")
            },
            again.stdout)
    }
}
