import Datasets
import FileFormats
import Foundation
import XCTest

/// `pipeline evaluate` as a user runs it (the built executable).
final class EvaluateCommandTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let flowers = try SyntheticFlowers(classCount: 2, seed: 3)
        for (name, first) in [("a", 0), ("b", 20)] {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for i in 0..<4 {
                try PNGImage.write(
                    flowers.image(index: first + i, size: 16), to: url.appendingPathComponent("\(i).png"))
            }
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testEvaluatePrintsTheTableAndWritesMetrics() throws {
        let outcome = try EvaluateProcess.run(
            ["evaluate", "--generated", "a", "--real", "b", "--seed", "3"], in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(
            outcome.stdout.contains("evaluation: 4 generated vs 4 real images at 16×16, seed 3"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("16 px"), outcome.stdout)
        let report = folder.appendingPathComponent("artifacts/default/reports/evaluate")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: report.path).sorted(),
            ["manifest.json", "metrics.json"])
    }

    /// `--json`: standard output is the metrics document alone, the progress goes to standard error.
    func testJSONPrintsTheMetricsDocumentOnStandardOutput() throws {
        let outcome = try EvaluateProcess.run(
            ["evaluate", "--generated", "a", "--real", "b", "--seed", "3", "--json"], in: folder)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let metrics = folder.appendingPathComponent("artifacts/default/reports/evaluate/metrics.json")
        XCTAssertEqual(outcome.stdout, try String(contentsOf: metrics, encoding: .utf8))
        let document = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let report = try XCTUnwrap(document?["report"] as? [String: Any])
        XCTAssertNotNil(report["imageStatisticsKernelDistance"])
        XCTAssertTrue(
            outcome.stderr.contains("evaluation: 4 generated vs 4 real images at 16×16, seed 3"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("ISKD ×10³"), outcome.stderr)
    }

    func testBadArgumentsAreErrors() throws {
        let cases: [([String], String)] = [
            (
                ["evaluate", "--generated", "a", "--real", "b", "--max-images", "1"],
                "error: --max-images must be at least 2, not 1"
            ),
            (
                ["evaluate", "--generated", "a", "--real", "b", "--real-margin=-1"],
                "error: --real-margin must not be negative, not -1"
            ),
            (
                ["evaluate", "--generated", "none", "--real", "b"],
                "error: \(folder.appendingPathComponent("none").path): not found"
            ),
            (
                ["evaluate", "--real-subset", "holdout"],
                "error: --real-subset: unknown subset 'holdout' (train, validation, test)"
            ),
        ]
        for (arguments, expected) in cases {
            let outcome = try EvaluateProcess.run(arguments, in: folder)
            XCTAssertNotEqual(outcome.status, 0, "\(arguments)")
            XCTAssertTrue(outcome.stderr.hasPrefix(expected), "\(arguments): \(outcome.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("artifacts").path))
    }
}

/// Runs the `pipeline` executable that SwiftPM builds next to the test bundle.
private enum EvaluateProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL) throws -> Outcome {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            ProcessInfo.processInfo.environment["FMF_PIPELINE_BINARY"].map(URL.init(fileURLWithPath:)),
            runner.deletingLastPathComponent().appendingPathComponent("pipeline"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pipeline"),
        ]
        guard
            let binary = candidates.compactMap({ $0 }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0.path)
            })
        else {
            throw XCTSkip("the pipeline executable was not found next to the test bundle (build it first: swift build)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OPENBLAS_") || name.hasPrefix("FMF_") {
            environment[name] = nil
        }
        process.environment = environment
        let out = folderFile(directory, "stdout"), err = folderFile(directory, "stderr")
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    private static func folderFile(_ directory: URL, _ name: String) -> URL {
        let url = directory.deletingLastPathComponent().appendingPathComponent(
            ".\(directory.lastPathComponent).\(name)")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }
}
