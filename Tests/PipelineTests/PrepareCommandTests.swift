import Foundation
import XCTest

/// `pipeline prepare` and `pipeline fetch-data` as a user runs them (the built executable).
final class PrepareCommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testPrepareWritesTheCacheIntoTheRunFolder() throws {
        let outcome = try PipelineProcess.run(["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "smoke"],
                                              in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("prepared 24 of 24 images at 32 px"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("subsets: train 20 · validation 2 · test 2"), outcome.stdout)
        let dataset = folder.appendingPathComponent("artifacts/smoke/dataset")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dataset.path).sorted(), ["images.h5", "manifest.json"])
    }

    func testBadOptionsAreErrors() throws {
        let cases: [([String], String)] = [
            (["prepare", "--source", "oxford"], "error: --source oxford needs --data DIR"),
            (["prepare", "--size", "48"], "error: --size must be one of 32, 64, 128, 256, not 48"),
            (["prepare", "--source", "imagenet"], "error: The value 'imagenet' is invalid for '--source"),
            (["prepare", "--source", "folder", "--data", folder.appendingPathComponent("none").path],
             "error: \(folder.appendingPathComponent("none").path): not found: image folder does not exist"),
            (["fetch-data"], "error: Missing expected argument '--dest <dir>'"),
            (["fetch-data", "--dest", "x", "--base-url", "ftp://example.org/"], "error: --base-url must be an http(s) URL"),
        ]
        for (arguments, expected) in cases {
            let outcome = try PipelineProcess.run(arguments, in: folder)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.stderr.hasPrefix(expected), "\(arguments): \(outcome.stderr)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }

    /// Ctrl-C during preparation: the run stops after the current chunk and leaves no cache.
    func testAnInterruptLeavesNoCache() throws {
        let output = folder.appendingPathComponent("dataset")
        let outcome = try PipelineProcess.run(["prepare", "--count", "3000", "--size", "32", "--output", output.path],
                                              in: folder) { process, stdout in
            try PipelineProcess.waitFor(stdout, toContain: "prepare ")
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertEqual(outcome.status, 130, outcome.stderr + outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("stopped after") && outcome.stdout.contains("no cache was written"), outcome.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}

/// Runs the `pipeline` executable that SwiftPM builds next to the test bundle.
private enum PipelineProcess {
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
        let collected = Collected()
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

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.lock(); data.append(more); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}
