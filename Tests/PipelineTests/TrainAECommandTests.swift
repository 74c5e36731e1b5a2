import Foundation
import XCTest

/// `pipeline train-ae` as a user runs it (the built executable).
final class TrainAECommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-ae-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let tiny = ["--width-scale", "0.125", "--batch-size", "4", "--codebook-size", "16", "--levels", "2"]

    func testBadOptionsAreErrors() throws {
        let cases: [([String], String)] = [
            (["train-ae"], "error: give a budget: --steps N and/or --minutes M"),
            (["train-ae", "--steps", "0"], "error: --steps must be positive, got 0"),
            (["train-ae", "--steps", "5", "--width-scale", "0"], "error: --width-scale must be in (0, 8], got 0.0"),
            (
                ["train-ae", "--steps", "5", "--train-subsets", "train,pictures"],
                "error: --train-subsets: unknown subset 'pictures'"
            ),
            (
                ["train-ae", "--steps", "5", "--eval-subset", "train"],
                "error: the evaluation subset train must not be trained on"
            ),
            (
                ["train-ae", "--steps", "5", "--finetune-decoder", "ae.safetensors", "--quantizer-start", "3"],
                "error: --finetune-decoder starts from trained codebooks; --quantizer-start does not apply"
            ),
            (
                ["train-ae", "--steps", "5", "--adversarial-weight", "0.1", "--discriminator-downsamplings", "9"],
                "error: discriminator downsamplings must be in 1...5, got 9"
            ),
            (
                [
                    "train-ae", "--steps", "5", "--adversarial-weight", "0.1", "--generated-latents",
                    "latents.safetensors",
                ],
                "error: --generated-latents trains the decoder adversarially on a flow's samples: it needs --finetune-decoder"
            ),
            (
                [
                    "train-ae", "--steps", "5", "--adversarial-weight", "0.1", "--finetune-decoder", "ae.safetensors",
                    "--generated-latents", "latents.safetensors", "--generated-per-step", "0",
                ],
                "error: --generated-per-step must be positive, got 0"
            ),
            (["train-ae", "--steps", "5"], "error: \(folder.path)/artifacts/default/dataset/images.h5: not found"),
        ]
        for (arguments, expected) in cases {
            let outcome = try PipelineProcess.run(arguments, in: folder)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.stderr.hasPrefix(expected), "\(arguments): \(outcome.stderr)")
        }
    }

    /// Ctrl-C saves a checkpoint and the model and exits 130; --resume continues; --evaluate-only evaluates.
    func testInterruptCheckpointsAndResumeFinishes() throws {
        let prepared = try PipelineProcess.run(
            ["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "s"], in: folder)
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        let interrupted = try PipelineProcess.run(["train-ae", "--run", "s", "--steps", "1000000"] + tiny, in: folder) {
            process, stdout in
            try PipelineProcess.waitFor(stdout, toContain: "codebooks started")
            usleep(200_000)
            process.interrupt()
        }
        XCTAssertEqual(interrupted.status, 130, interrupted.stderr)
        XCTAssertTrue(interrupted.stdout.contains("continue with --resume"), interrupted.stdout)
        let stage = folder.appendingPathComponent("artifacts/s/autoencoder")
        let files = try FileManager.default.contentsOfDirectory(atPath: stage.path)
        XCTAssertTrue(files.contains("checkpoint.safetensors") && files.contains("model.safetensors"), "\(files)")
        XCTAssertFalse(files.contains("manifest.json"), "an interrupted stage is not complete")

        let again = try PipelineProcess.run(["train-ae", "--run", "s", "--steps", "3"] + tiny, in: folder)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("pass --resume to continue it, --restart"), again.stderr)

        let resumed = try PipelineProcess.run(
            ["train-ae", "--run", "s", "--steps", "3", "--resume"] + tiny, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming from"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("held-out evaluation"), resumed.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stage.appendingPathComponent("manifest.json").path))

        let evaluated = try PipelineProcess.run(
            ["train-ae", "--run", "s", "--evaluate-only", "--save-reconstructions", "recon"],
            in: folder)
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        XCTAssertTrue(evaluated.stdout.contains("2 levels"), evaluated.stdout)
        // Synthetic 24 images in 2 classes: 2 validation images, PNGs named by cache row.
        let pictures = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("recon").path)
        XCTAssertEqual(pictures.count, 2, "\(pictures)")
        XCTAssertTrue(pictures.allSatisfy { $0.hasPrefix("row-") && $0.hasSuffix(".png") }, "\(pictures)")
    }
}
