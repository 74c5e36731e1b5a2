import FileFormats
import Foundation
import XCTest

/// `pipeline run` as a user runs it, at tiny sizes: every stage end to end, the skip rules, a
/// damaged artifact or manifest rebuilt rather than trusted, and a run killed with SIGKILL in the
/// middle of training that resumes to exactly the result of an uninterrupted run.
final class RunEndToEndTests: XCTestCase {
    /// Tiny everything: 32 px synthetic flowers (latents 4×4×4), a narrow autoencoder, a small
    /// UNet. `flowSteps` is long enough that a kill can land in the middle of training.
    static func configuration(flowSteps: Int) -> String {
        """
        preset: quick
        run: tiny
        stages:
          prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
          train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
          flow-latents: { enabled: true, count: 6 }
          finetune-decoder: { enabled: true, steps: 2, warmup-steps: 1 }
          train-flow: { steps: \(flowSteps), base: 16, multipliers: [1, 2], batch-size: 16, checkpoint-every: 20, log-every: 20, warmup: 1 }
          generate: { count: 6, steps: 2 }
        """
    }

    func makeFolder(flowSteps: Int) throws -> URL {
        try makeTinyRunFolder(Self.configuration(flowSteps: flowSteps), prefix: "run-e2e")
    }

    func pipeline(
        _ arguments: [String], in folder: URL,
        whileRunning: ((Process, () -> String) throws -> Void)? = nil
    ) throws -> PipelineProcess.Outcome {
        try PipelineProcess.run(
            arguments + ["--config", "tiny.yaml", "--threads", "1"], in: folder, whileRunning: whileRunning)
    }

    func sha256(_ folder: URL, _ file: String) throws -> String {
        try SHA256.hashFile(at: folder.appendingPathComponent("artifacts/tiny/\(file)")).hex
    }

    /// The `[stage] …` line of a run's output.
    func line(of stage: String, in output: String) -> String {
        output.split(separator: "\n").first { $0.hasPrefix("[\(stage)] ") }.map(String.init) ?? "(no line for \(stage))"
    }

    /// The line of `pipeline status` for a stage ("  encode      stale: …").
    func statusLine(of stage: String, in output: String) -> String {
        output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(stage + " ") }.map(
            String.init)
            ?? "(no line for \(stage))"
    }

    func testTheWholeRunThenSkipsThenRebuildsDamagedArtifacts() throws {
        let folder = try makeFolder(flowSteps: 20)
        let first = try pipeline(["run"], in: folder)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("run 'tiny' complete"), first.stdout)
        for file in [
            "samples/grid.png", "reports/evaluate/metrics.json", "flow/model.safetensors", "latents/latents.h5",
            "decoder/model.safetensors", "flow-latents/latents.safetensors",
        ] {
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("artifacts/tiny/\(file)").path),
                file)
        }
        let model = try sha256(folder, "flow/model.safetensors")

        let status = try pipeline(["status"], in: folder)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertEqual(status.stdout.components(separatedBy: "done").count - 1, 8, status.stdout)
        let sidecar = try String(
            contentsOf: folder.appendingPathComponent("artifacts/tiny/samples/manifest.json"), encoding: .utf8)
        XCTAssertTrue(
            sidecar.contains(try sha256(folder, "decoder/model.safetensors")),
            "generate decoded with the fine-tuned decoder")
        let fineTune = try String(
            contentsOf: folder.appendingPathComponent("artifacts/tiny/decoder/manifest.json"), encoding: .utf8)
        XCTAssertTrue(
            fineTune.contains(try sha256(folder, "flow-latents/latents.safetensors")),
            "the fine-tune's discriminator judged the flow's latents")

        let again = try pipeline(["run"], in: folder)
        XCTAssertEqual(again.status, 0, again.stderr)
        for stage in [
            "prepare", "train-ae", "encode", "train-flow", "flow-latents", "finetune-decoder", "generate", "evaluate",
        ] {
            XCTAssertTrue(line(of: stage, in: again.stdout).contains("up to date"), line(of: stage, in: again.stdout))
        }

        // A truncated model: `run` refuses to retrain it without --force and changes nothing.
        let modelURL = folder.appendingPathComponent("artifacts/tiny/flow/model.safetensors")
        let bytes = try Data(contentsOf: modelURL)
        try bytes.prefix(bytes.count / 2).write(to: modelURL)
        let damaged = try pipeline(["status"], in: folder)
        XCTAssertTrue(
            damaged.stdout.contains("stale: damaged artifact: model.safetensors has \(bytes.count / 2) bytes"),
            damaged.stdout)
        let refused = try pipeline(["run"], in: folder)
        XCTAssertNotEqual(refused.status, 0, refused.stdout)
        XCTAssertTrue(refused.stderr.contains("would retrain") && refused.stderr.contains("train-flow"), refused.stderr)
        XCTAssertEqual(try Data(contentsOf: modelURL).count, bytes.count / 2, "nothing changed")
        // With --force the stage is rebuilt, its old folder kept aside; the same seed gives the
        // same model, so the stages that read it are still done.
        let rebuilt = try pipeline(["run", "--force"], in: folder)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertTrue(line(of: "train-flow", in: rebuilt.stdout).contains("running"), rebuilt.stdout)
        for stage in ["prepare", "train-ae", "encode", "flow-latents", "finetune-decoder", "generate", "evaluate"] {
            XCTAssertTrue(
                line(of: stage, in: rebuilt.stdout).contains("up to date"), line(of: stage, in: rebuilt.stdout))
        }
        XCTAssertEqual(
            try sha256(folder, "flow/model.safetensors"), model, "a rebuild with the same seed gives the same model")
        let previous = folder.appendingPathComponent("artifacts/tiny/previous")
        let kept = try FileManager.default.contentsOfDirectory(atPath: previous.path).filter { $0.hasPrefix("flow-") }
        XCTAssertEqual(kept.count, 1, "\(kept)")
        XCTAssertEqual(
            try Data(contentsOf: previous.appendingPathComponent("\(kept[0])/model.safetensors")).count, bytes.count / 2
        )

        // A corrupted manifest is not trusted either; the latent cache is rebuilt to the same
        // bytes, so the flow trained on it stays done.
        try Data("{\"status\": \"comp".utf8).write(
            to: folder.appendingPathComponent("artifacts/tiny/latents/manifest.json"))
        let manifestStatus = try pipeline(["status"], in: folder)
        XCTAssertTrue(
            statusLine(of: "encode", in: manifestStatus.stdout).contains(
                "stale: damaged artifact: manifest.json is not a readable JSON manifest"),
            manifestStatus.stdout)
        let afterManifest = try pipeline(["run"], in: folder)
        XCTAssertEqual(afterManifest.status, 0, afterManifest.stderr)
        XCTAssertTrue(line(of: "encode", in: afterManifest.stdout).contains("running"), afterManifest.stdout)
        XCTAssertTrue(line(of: "train-flow", in: afterManifest.stdout).contains("up to date"), afterManifest.stdout)
    }

    func testARunKilledMidTrainingResumesToTheResultOfAnUninterruptedOne() throws {
        let steps = 400
        let reference = try makeFolder(flowSteps: steps)
        // Both runs share the same upstream artifacts byte for byte (the flow model records the
        // latent cache's hash, and HDF5 files carry creation times), so the comparison is of
        // training alone.
        for stage in ["prepare", "train-ae", "encode"] {
            let outcome = try pipeline(["run", "--only", stage], in: reference)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-e2e-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: reference, to: folder)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let whole = try pipeline(["run"], in: reference)
        XCTAssertEqual(whole.status, 0, whole.stderr)

        let killed = try pipeline(["run"], in: folder) { process, output in
            try PipelineProcess.waitFor(output, toContain: "[train-flow] running", seconds: 300)
            // Printed after the save.
            try PipelineProcess.waitFor(output, toContain: "checkpoint at step 40", seconds: 300)
            kill(process.processIdentifier, SIGKILL)
        }
        XCTAssertEqual(killed.status, SIGKILL, "the run was meant to die mid-training:\n\(killed.stdout)")
        XCTAssertFalse(
            killed.stdout.contains("run 'tiny' complete"), "training ended before the kill; raise the step count")

        let status = try pipeline(["status"], in: folder)
        XCTAssertTrue(status.stdout.contains("stale: interrupted before it finished"), status.stdout)
        let resumed = try pipeline(["run"], in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(line(of: "train-flow", in: resumed.stdout).contains("resuming"), resumed.stdout)
        XCTAssertTrue(line(of: "train-ae", in: resumed.stdout).contains("up to date"), resumed.stdout)
        XCTAssertEqual(
            try sha256(folder, "flow/model.safetensors"), try sha256(reference, "flow/model.safetensors"),
            "killed and resumed must end exactly where the uninterrupted run ended")
        XCTAssertEqual(try sha256(folder, "samples/grid.png"), try sha256(reference, "samples/grid.png"))
    }
}
