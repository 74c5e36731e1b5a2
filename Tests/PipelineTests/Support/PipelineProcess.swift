import Foundation
import XCTest

/// Runs the `pipeline` executable that SwiftPM builds next to the test bundle.
enum PipelineProcess {
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

    static func run(
        _ arguments: [String], in directory: URL, executable: URL? = nil,
        whileRunning: ((Process, () -> String) throws -> Void)? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = try executable ?? binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OPENBLAS_") || name.hasPrefix("FMF_") {
            environment[name] = nil
        }
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
        return Outcome(
            status: process.terminationStatus, stdout: collected.text, stderr: String(decoding: errors, as: UTF8.self))
    }

    /// Runs the executable with a file-size limit (`ulimit -f`, KiB) and SIGXFSZ ignored, so a
    /// write past the limit fails with EFBIG exactly as one on a full disk fails with ENOSPC.
    static func runWithFileSizeLimit(kibibytes: Int, _ arguments: [String], in directory: URL) throws -> Outcome {
        let script = "trap '' XFSZ; ulimit -f \(kibibytes); exec \"$0\" \"$@\""
        return try run(
            ["-c", script, try binary().path] + arguments, in: directory, executable: URL(fileURLWithPath: "/bin/bash"))
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

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) {
        lock.lock()
        data.append(more)
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
