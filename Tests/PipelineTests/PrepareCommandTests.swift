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
        let outcome = try PipelineProcess.run(
            ["prepare", "--count", "24", "--classes", "2", "--size", "32", "--run", "smoke"],
            in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("prepared 24 of 24 images at 32 px"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("subsets: train 20 · validation 2 · test 2"), outcome.stdout)
        let dataset = folder.appendingPathComponent("artifacts/smoke/dataset")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dataset.path).sorted(), ["images.h5", "manifest.json"])
    }

    func testBadOptionsAreErrors() throws {
        let cases: [([String], String)] = [
            (["prepare", "--source", "oxford"], "error: --source oxford needs --data DIR"),
            (["prepare", "--size", "48"], "error: --size must be one of 32, 64, 128, 256, not 48"),
            (["prepare", "--source", "imagenet"], "error: The value 'imagenet' is invalid for '--source"),
            (
                ["prepare", "--source", "folder", "--data", folder.appendingPathComponent("none").path],
                "error: \(folder.appendingPathComponent("none").path): not found: image folder does not exist"
            ),
            (["fetch-data"], "error: Missing expected argument '--dest <dir>'"),
            (
                ["fetch-data", "--dest", "x", "--base-url", "ftp://example.org/"],
                "error: --base-url must be an http(s) URL"
            ),
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
        let outcome = try PipelineProcess.run(
            ["prepare", "--count", "3000", "--size", "32", "--output", output.path],
            in: folder
        ) { process, stdout in
            try PipelineProcess.waitFor(stdout, toContain: "prepare ")
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertEqual(outcome.status, 130, outcome.stderr + outcome.stdout)
        XCTAssertTrue(
            outcome.stdout.contains("stopped after") && outcome.stdout.contains("no cache was written"), outcome.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [])
    }
}
