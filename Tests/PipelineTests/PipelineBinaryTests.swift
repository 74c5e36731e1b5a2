import Foundation
import Pipeline
import XCTest

/// Runs the built `pipeline` executable, which SwiftPM puts next to the test bundle.
final class PipelineBinaryTests: XCTestCase {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func binary() throws -> URL {
        if let explicit = ProcessInfo.processInfo.environment["FMF_PIPELINE_BINARY"] {
            return URL(fileURLWithPath: explicit)
        }
        // /proc/self/exe is the test runner inside the build folder (Linux); Bundle.main covers macOS.
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            runner.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle(for: Self.self).bundleURL.deletingLastPathComponent(),
        ]
        for folder in candidates {
            let url = folder.appendingPathComponent("pipeline")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw XCTSkip("the pipeline executable was not found next to the test bundle (build it first: swift build)")
    }

    /// Runs `pipeline arguments`; `whileRunning` gets the process and its growing standard output.
    private func run(
        _ arguments: [String], environment: [String: String]? = nil,
        whileRunning: ((Process, () -> String) throws -> Void)? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in env.keys where name.hasPrefix("OPENBLAS_") || name.hasPrefix("FMF_") { env[name] = nil }
        for (name, value) in environment ?? [:] { env[name] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { collected.append($0.availableData) }
        try process.run()
        try whileRunning?(process, { collected.text })
        let errorData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile())
        return Outcome(
            status: process.terminationStatus, stdout: collected.text,
            stderr: String(decoding: errorData, as: UTF8.self))
    }

    func testVersion() throws {
        let outcome = try run(["--version"])
        XCTAssertEqual(outcome.status, 0)
        XCTAssertEqual(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines), PipelineVersion.current)
    }

    /// `compare` with nothing trained and no budget says what to give instead of training forever.
    func testCompareWithoutModelsOrBudgetFailsWithAnErrorLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("compare-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try run(["compare", "--artifacts", folder.path, "--run", "empty"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.stderr.hasPrefix("error: "), outcome.stderr)
        XCTAssertTrue(
            outcome.stderr.contains("empty/flow: no complete latent model; give a training budget with --minutes M"),
            outcome.stderr)
    }

    func testUnknownPresetAndBadOptionsFail() throws {
        let preset = try run(["bench", "--preset", "resnet50"])
        XCTAssertNotEqual(preset.status, 0)
        XCTAssertTrue(preset.stderr.contains("resnet50"), preset.stderr)

        let threads = try run(["--threads", "zero", "bench", "--sgemm"])
        XCTAssertNotEqual(threads.status, 0)
        XCTAssertTrue(threads.stderr.hasPrefix("error: --threads must be a whole number"), threads.stderr)

        let unknown = try run(["bench", "--no-such-option"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.hasPrefix("error: Unknown option '--no-such-option'"), unknown.stderr)

        let interval = try run(["generate", "--guidance", "2", "--guidance-interval", "0.8,0.2"])
        XCTAssertNotEqual(interval.status, 0)
        XCTAssertTrue(
            interval.stderr.hasPrefix(
                "error: --guidance-interval: expected START,END with 0 ≤ START ≤ END ≤ 1, got '0.8,0.2'"),
            interval.stderr)
    }

    /// Every preset is accepted option by option by the stage commands it drives (`--dry-run`
    /// parses every stage's settings, enabled or not, before planning), and a key no command
    /// knows is refused with the stage's valid keys.
    func testEveryPresetIsAcceptedByItsStageCommands() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("presets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for preset in RunPreset.allCases {
            let outcome = try run(["run", "--preset", preset.rawValue, "--dry-run", "--artifacts", folder.path])
            XCTAssertEqual(outcome.status, 0, "\(preset): \(outcome.stderr)")
            XCTAssertTrue(outcome.stdout.contains("[train-flow] would run"), outcome.stdout)
        }
        let bad = try run([
            "run", "--preset", "quick", "--dry-run", "--artifacts", folder.path, "--set", "train-ae.widht-scale=2",
        ])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("stage train-ae: unknown key 'widht-scale'"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("width-scale"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path), "a dry run writes nothing")
    }

    /// Starts an sgemm benchmark, interrupts it once it has started measuring, and checks that
    /// the process re-executed with the OpenBLAS settings and stopped gracefully.
    func testBenchSetsTheBLASEnvironmentAndStopsOnInterrupt() throws {
        let outcome = try run(["bench", "--sgemm", "--threads", "1"]) { process, output in
            try self.waitFor(output, toContain: "shape")
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertEqual(outcome.status, 130, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("OPENBLAS_THREAD_TIMEOUT=4 (set by pipeline)"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("OPENBLAS_NUM_THREADS=1 (set by pipeline)"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("1 thread (Swift loops: 1)"), outcome.stdout)
        #if arch(x86_64)
            if CPUArchitecture.currentFeatureFlags()?.isSuperset(of: ["avx2", "fma"]) == true {
                XCTAssertTrue(outcome.stdout.contains("BLAS core in use: Haswell"), outcome.stdout)
            }
        #endif
        XCTAssertTrue(outcome.stdout.contains("stopped early"), outcome.stdout)
        XCTAssertTrue(outcome.stderr.contains("stop requested: finishing the current step"), outcome.stderr)
    }

    func testTerminationSignalAlsoStopsGracefully() throws {
        let outcome = try run(["bench", "--sgemm", "--threads", "1"]) { process, output in
            try self.waitFor(output, toContain: "shape")
            kill(process.processIdentifier, SIGTERM)
        }
        XCTAssertEqual(outcome.status, 128 + SIGTERM, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("stopped early"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("peak memory"), outcome.stdout)
    }

    func testASecondInterruptQuitsAtOnce() throws {
        // A training step of the pixel UNet takes seconds and the stop request is only honoured
        // between steps, so the first Ctrl-C cannot have finished the run when the second arrives.
        let outcome = try run(["bench", "--preset", "pixel-unet", "--batch", "2", "--steps", "1"]) { process, output in
            // Step 1 is done; step 2 has just begun and takes well over the gap below.
            try self.waitFor(output, toContain: "step 1:")
            kill(process.processIdentifier, SIGINT)
            usleep(200_000)
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertEqual(outcome.status, 130, outcome.stderr)
        XCTAssertFalse(outcome.stdout.contains("pixel-unet: parameters"), outcome.stdout)
        XCTAssertFalse(outcome.stdout.contains("peak memory"), outcome.stdout)
    }

    func testAUserCoreTypeIsKept() throws {
        let outcome = try run(["bench", "--sgemm"], environment: ["OPENBLAS_CORETYPE": "Prescott"]) { process, output in
            try self.waitFor(output, toContain: "shape")
            kill(process.processIdentifier, SIGINT)
        }
        XCTAssertTrue(outcome.stdout.contains("OPENBLAS_CORETYPE=Prescott\n"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("BLAS core in use: Prescott"), outcome.stdout)
    }

    private func waitFor(_ output: () -> String, toContain text: String, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !output().contains(text) {
            guard Date() < deadline else {
                XCTFail("no '\(text)' in the output within \(seconds) s: \(output())")
                return
            }
            usleep(20_000)
        }
    }
}
