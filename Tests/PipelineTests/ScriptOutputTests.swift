import Foundation
import XCTest

/// Output for scripts and logs: `--json` documents alone on standard output, and lines that reach
/// a pipe or a file as they are written (`pipeline run > run.log` followed with `tail -f`).
final class ScriptOutputTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("script-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testBenchJSONIsOneDocumentOnStandardOutputWithTheNotesOnStandardError() throws {
        let outcome = try PipelineProcess.run(
            ["bench", "--preset", "latent-unet", "--batch", "2", "--steps", "2", "--json", "--threads", "1"],
            in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let document = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], outcome.stdout)
        let training = try XCTUnwrap(document["training"] as? [String: Any])
        XCTAssertEqual(training["preset"] as? String, "latent-unet")
        XCTAssertEqual(training["batch"] as? Int, 2)
        XCTAssertEqual((training["stepSeconds"] as? [Double])?.count, 2)
        XCTAssertEqual(training["parameters"] as? Int, training["referenceParameters"] as? Int)
        XCTAssertNotNil((document["machine"] as? [String: Any])?["blasCore"])
        XCTAssertEqual((document["sgemm"] as? [Any])?.count, 1, "the reference shape the preset is compared with")
        XCTAssertEqual(document["stopped"] as? Bool, false)
        // The readable lines went to standard error.
        XCTAssertTrue(outcome.stderr.contains("step 3: "), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("latent-unet: parameters"), outcome.stderr)
        XCTAssertFalse(outcome.stdout.contains("step 3: "))
    }

    /// A training stage's progress lines arrive in the pipe while the run is still going (the
    /// progress reporter flushes each line itself; the next test covers plain printed lines).
    func testProgressLinesReachAPipeWhileTheRunGoesOn() throws {
        let configuration = """
            preset: quick
            run: piped
            stages:
              prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
              train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
              train-flow: { steps: 400, base: 16, multipliers: [1, 2], batch-size: 16, checkpoint-every: 400, log-every: 50, warmup: 1, eval-every: 0 }
              generate: { count: 6, steps: 2 }
            """
        try Data(configuration.utf8).write(to: folder.appendingPathComponent("piped.yaml"))
        var seenWhileRunning = false
        let outcome = try PipelineProcess.run(["run", "--config", "piped.yaml", "--threads", "1"], in: folder) {
            process, output in
            // A log-style progress line of train-flow ("train-flow  20/400 (5%)  …"), and the process not done.
            try PipelineProcess.waitFor(output, toContain: "train-flow  20/400 (5%)", seconds: 120)
            seenWhileRunning = process.isRunning
        }
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(seenWhileRunning, "the progress line arrived only when the process ended")
        XCTAssertTrue(outcome.stdout.contains("run 'piped' complete"))
    }

    /// A line printed and then followed by nothing for as long as the process lives: `serve`'s
    /// address. Only line buffering (set in `PipelineMain`) sends it before the process ends.
    func testAPrintedLineIsNotHeldInABufferWhileTheProcessWaits() throws {
        var line = ""
        let outcome = try PipelineProcess.run(["serve", "--port", "0", "--artifacts", folder.path], in: folder) {
            process, output in
            try PipelineProcess.waitFor(output, toContain: "serving ", seconds: 30)
            line = output()
            XCTAssertTrue(process.isRunning)
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertTrue(line.contains("at http://127.0.0.1:"), line)
        XCTAssertEqual(outcome.status, 130, "stopped by the interrupt: \(outcome.stderr)")
        XCTAssertTrue(outcome.stdout.contains("stopped serving"), outcome.stdout)
    }
}
