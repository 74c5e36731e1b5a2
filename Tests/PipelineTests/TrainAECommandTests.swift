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
            (["train-ae", "--steps", "5", "--train-subsets", "train,pictures"], "error: --train-subsets: unknown subset 'pictures'"),
            (["train-ae", "--steps", "5", "--eval-subset", "train"], "error: the evaluation subset train must not be trained on"),
            (["train-ae", "--steps", "5"], "error: \(folder.path)/artifacts/default/dataset/images.h5: not found"),
        ]
        for (arguments, expected) in cases {
            let outcome = try TrainAEProcess.run(arguments, in: folder)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.stderr.hasPrefix(expected), "\(arguments): \(outcome.stderr)")
        }
    }

    /// Ctrl-C saves a checkpoint and the model and exits 130; --resume continues; --evaluate-only evaluates.
    func testInterruptCheckpointsAndResumeFinishes() throws {
        let prepared = try TrainAEProcess.run(["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "s"], in: folder)
        XCTAssertEqual(prepared.status, 0, prepared.stderr)
        let interrupted = try TrainAEProcess.run(["train-ae", "--run", "s", "--steps", "1000000"] + tiny, in: folder) { process, stdout in
            try TrainAEProcess.waitFor(stdout, toContain: "codebooks started")
            usleep(200_000)
            process.interrupt()
        }
        XCTAssertEqual(interrupted.status, 130, interrupted.stderr)
        XCTAssertTrue(interrupted.stdout.contains("continue with --resume"), interrupted.stdout)
        let stage = folder.appendingPathComponent("artifacts/s/autoencoder")
        let files = try FileManager.default.contentsOfDirectory(atPath: stage.path)
        XCTAssertTrue(files.contains("checkpoint.safetensors") && files.contains("model.safetensors"), "\(files)")
        XCTAssertFalse(files.contains("manifest.json"), "an interrupted stage is not complete")

        let again = try TrainAEProcess.run(["train-ae", "--run", "s", "--steps", "3"] + tiny, in: folder)
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("pass --resume to continue it or --restart"), again.stderr)

        let resumed = try TrainAEProcess.run(["train-ae", "--run", "s", "--steps", "3", "--resume"] + tiny, in: folder)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming from"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("held-out evaluation"), resumed.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stage.appendingPathComponent("manifest.json").path))

        let evaluated = try TrainAEProcess.run(["train-ae", "--run", "s", "--evaluate-only", "--save-reconstructions", "recon"],
                                               in: folder)
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        XCTAssertTrue(evaluated.stdout.contains("2 levels"), evaluated.stdout)
        // Synthetic 24 images in 2 classes: 2 validation images, PNGs named by cache row.
        let pictures = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("recon").path)
        XCTAssertEqual(pictures.count, 2, "\(pictures)")
        XCTAssertTrue(pictures.allSatisfy { $0.hasPrefix("row-") && $0.hasSuffix(".png") }, "\(pictures)")
    }
}

/// Runs the built `pipeline` executable.
enum TrainAEProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary() throws -> URL {
        if let explicit = ProcessInfo.processInfo.environment["FMF_PIPELINE_BINARY"] {
            return URL(fileURLWithPath: explicit)
        }
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for folder in [runner.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()] {
            let url = folder.appendingPathComponent("pipeline")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw XCTSkip("the pipeline executable was not found next to the test bundle (build it first: swift build)")
    }

    static func run(_ arguments: [String], in directory: URL,
                    whileRunning: ((Process, () -> String) throws -> Void)? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OPENBLAS_") || name.hasPrefix("FMF_") { environment[name] = nil }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = OutputBuffer()
        out.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
        try process.run()
        try whileRunning?(process, { collected.text })
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile())
        return Outcome(status: process.terminationStatus, stdout: collected.text, stderr: String(decoding: errors, as: UTF8.self))
    }

    static func waitFor(_ output: () -> String, toContain text: String, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !output().contains(text) {
            guard Date() < deadline else {
                XCTFail("no '\(text)' in the output within \(seconds) s: \(output())")
                return
            }
            usleep(10_000)
        }
    }
}

private final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
