import Foundation
import LiveView
import XCTest

/// A served artifacts folder beside a secret the server must never hand out, reached through
/// every trick: `..`, encoded dots and slashes, symlinks out of the folder.
final class ServedFolderTests: XCTestCase {
    var sandbox: URL!
    var artifacts: URL!

    override func setUpWithError() throws {
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)")
        artifacts = sandbox.appendingPathComponent("artifacts")
        try ServedFixture.make(sandbox: sandbox)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: sandbox)
    }

    func refusal(_ path: String) throws -> ServedFolder.Refusal? {
        switch try ServedFolder(artifacts).file(path) {
        case .success: return nil
        case .failure(let refusal): return refusal
        }
    }

    func testReportFilesAreServed() throws {
        let folder = try ServedFolder(artifacts)
        XCTAssertEqual(try folder.file("tiny/report.html").get().lastPathComponent, "report.html")
        XCTAssertEqual(try folder.file("tiny/flow/grids/step-000020.png").get().lastPathComponent, "step-000020.png")
        XCTAssertEqual(try folder.file("tiny/with%20space.txt").get().lastPathComponent, "with space.txt")
        // A symlink that stays inside the folder is followed.
        XCTAssertEqual(try folder.file("tiny/alias.html").get().lastPathComponent, "report.html")
    }

    func testTraversalIsImpossible() throws {
        XCTAssertEqual(try refusal("tiny/../../secret.txt"), .traversal)
        XCTAssertEqual(try refusal("../secret.txt"), .traversal)
        XCTAssertEqual(try refusal("tiny/./report.html"), .traversal)
        XCTAssertEqual(try refusal("tiny/%2e%2e/%2e%2e/secret.txt"), .traversal)
        XCTAssertEqual(try refusal("%2E%2E/secret.txt"), .traversal)
        XCTAssertEqual(try refusal("tiny%2f..%2f..%2fsecret.txt"), .traversal, "an encoded slash")
        XCTAssertEqual(try refusal("tiny/..%5c..%5csecret.txt"), .traversal, "an encoded backslash")
        XCTAssertEqual(try refusal("%252e%252e/secret.txt"), .notFound, "encoded twice it is only a strange name")
        XCTAssertEqual(try refusal("tiny/leak.txt"), .outside, "a symlink to a file outside")
        XCTAssertEqual(try refusal("tiny/outside/secret.txt"), .outside, "a symlink to a folder outside")
    }

    func testOnlyReportKindsOfRegularFilesAreServed() throws {
        XCTAssertEqual(try refusal("tiny/.pipeline.lock"), .hidden)
        XCTAssertEqual(try refusal("tiny/.digests.json"), .hidden)
        XCTAssertEqual(try refusal("tiny/flow/model.safetensors"), .typeNotServed)
        XCTAssertEqual(try refusal("tiny/flow"), .notAFile)
        XCTAssertEqual(try refusal("tiny/missing.html"), .notFound)
        XCTAssertEqual(try refusal("tiny//report.html"), .malformed)
        XCTAssertEqual(try refusal("tiny/%zz.html"), .malformed)
        XCTAssertEqual(try refusal("tiny/a%00b.html"), .malformed)
        XCTAssertEqual(try refusal(""), .malformed)
    }

    func testAMissingFolderIsAnError() {
        XCTAssertThrowsError(try ServedFolder(sandbox.appendingPathComponent("nothing-here")))
    }
}

/// The files of the served-folder tests: a run `tiny` with a report, a grid, a model, a lock and
/// a metrics log; `secret.txt` beside the artifacts folder; symlinks in and out.
enum ServedFixture {
    static let secret = "the secret outside the artifacts folder"

    static func make(sandbox: URL) throws {
        let manager = FileManager.default
        let run = sandbox.appendingPathComponent("artifacts/tiny")
        try manager.createDirectory(at: run.appendingPathComponent("flow/grids"), withIntermediateDirectories: true)
        try manager.createDirectory(at: sandbox.appendingPathComponent("private"), withIntermediateDirectories: true)
        try Data(secret.utf8).write(to: sandbox.appendingPathComponent("secret.txt"))
        try Data(secret.utf8).write(to: sandbox.appendingPathComponent("private/secret.txt"))
        try Data("<!DOCTYPE html><title>tiny</title><p>the report</p>".utf8).write(
            to: run.appendingPathComponent("report.html"))
        try Data("spaced".utf8).write(to: run.appendingPathComponent("with space.txt"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]).write(
            to: run.appendingPathComponent("flow/grids/step-000020.png"))
        try Data("weights".utf8).write(to: run.appendingPathComponent("flow/model.safetensors"))
        try Data("123".utf8).write(to: run.appendingPathComponent(".pipeline.lock"))
        try Data("{}".utf8).write(to: run.appendingPathComponent(".digests.json"))
        try manager.createSymbolicLink(
            atPath: run.appendingPathComponent("leak.txt").path, withDestinationPath: "../../secret.txt")
        try manager.createSymbolicLink(
            atPath: run.appendingPathComponent("outside").path,
            withDestinationPath: sandbox.appendingPathComponent("private").path)
        try manager.createSymbolicLink(
            atPath: run.appendingPathComponent("alias.html").path, withDestinationPath: "report.html")
        try Data("preset: quick\nrun: tiny\nstages:\n  train-flow: { steps: 40 }\n".utf8)
            .write(to: run.appendingPathComponent("run-config.yaml"))
        let lines = [
            #"{"loss":0.9,"lr":0.0002,"images_per_second":100,"step":10,"train_seconds":30}"#,
            #"{"event":"eval","step":10,"swd_mean":44.5,"train_seconds":30}"#,
            #"{"loss":0.7,"lr":0.0001,"images_per_second":120,"step":20,"train_seconds":60}"#,
        ]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(
            to: run.appendingPathComponent("flow/metrics.jsonl"))
    }
}
