import Foundation
import Pipeline
import XCTest

final class PreviousOutputsTests: XCTestCase {
    func testOutputsAreMovedAsideNeverDeleted() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("previous-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: run) }
        let flow = run.appendingPathComponent("flow")
        try FileManager.default.createDirectory(
            at: flow.appendingPathComponent("grids"), withIntermediateDirectories: true)
        try Data("model".utf8).write(to: flow.appendingPathComponent("model.safetensors"))
        try Data("grid".utf8).write(to: flow.appendingPathComponent("grids/a.png"))
        try Data("1".utf8).write(to: flow.appendingPathComponent(".pipeline.lock"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let moved = try XCTUnwrap(try PreviousOutputs.moveAside(contentsOf: flow, runFolder: run, now: now))
        XCTAssertEqual(moved.path, run.appendingPathComponent("previous/flow-20270115T080000Z").path)
        XCTAssertEqual(
            try String(contentsOf: moved.appendingPathComponent("model.safetensors"), encoding: .utf8), "model")
        XCTAssertTrue(FileManager.default.fileExists(atPath: moved.appendingPathComponent("grids/a.png").path))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: flow.path), [".pipeline.lock"], "hidden files stay")

        // Twice in the same second: a second folder, nothing overwritten; an empty folder moves nothing.
        try Data("model 2".utf8).write(to: flow.appendingPathComponent("model.safetensors"))
        let again = try XCTUnwrap(try PreviousOutputs.moveAside(contentsOf: flow, runFolder: run, now: now))
        XCTAssertEqual(again.lastPathComponent, "flow-20270115T080000Z-2")
        XCTAssertNil(try PreviousOutputs.moveAside(contentsOf: flow, runFolder: run, now: now))
        XCTAssertEqual(
            try String(contentsOf: moved.appendingPathComponent("model.safetensors"), encoding: .utf8), "model")

        // A nested stage folder is named by its path in the run.
        let reports = run.appendingPathComponent("reports/evaluate")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: reports.appendingPathComponent("metrics.json"))
        let report = try XCTUnwrap(try PreviousOutputs.moveAside(contentsOf: reports, runFolder: run, now: now))
        XCTAssertEqual(report.lastPathComponent, "reports-evaluate-20270115T080000Z")
    }
}
