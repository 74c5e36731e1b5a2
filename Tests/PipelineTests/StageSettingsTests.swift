import Foundation
import Pipeline
import XCTest

final class StageSettingsTests: XCTestCase {
    let base = URL(fileURLWithPath: "/srv/flowers/project")
    var run: URL { base.appendingPathComponent("artifacts/flowers") }

    /// Typed values: a budget of 5 minutes is one setting however it was spelled.
    func testTypedValuesAreCanonical() throws {
        var a = TrainFlowStage.Options(), b = TrainFlowStage.Options()
        a.minutes = 5
        b.minutes = Double("5.0")!
        a.training.learningRate = 1e-4
        b.training.learningRate = Double("0.0001")!
        XCTAssertEqual(
            try StageSettings(a, runFolder: run, base: base), try StageSettings(b, runFolder: run, base: base))
        b.minutes = 6
        let changes = try StageSettings(b, runFolder: run, base: base).changes(
            from: try StageSettings(a, runFolder: run, base: base))
        XCTAssertEqual(changes, ["minutes: 5 → 6"])
    }

    /// Where a stage writes and how it starts are not settings of its outputs.
    func testPlacesAndStartingAreLeftOut() throws {
        var a = TrainFlowStage.Options(), b = TrainFlowStage.Options()
        b.artifacts = "elsewhere"
        b.run = "other"
        b.output = "out"
        b.resume = true
        b.restart = true
        XCTAssertEqual(
            try StageSettings(a, runFolder: run, base: base), try StageSettings(b, runFolder: run, base: base))
        a.steps = 3
        XCTAssertNotEqual(
            try StageSettings(a, runFolder: run, base: base), try StageSettings(b, runFolder: run, base: base))
    }

    /// How often checkpoints, log lines and grids are written changes no model and no metric: it
    /// is not compared and not in the key, so a trained stage stays done and an interrupted one
    /// resumes when only the cadence changed (also one started before the cadence left the key).
    func testTheCadenceOfWrittenFilesIsNoSetting() throws {
        var flow = TrainFlowStage.Options()
        flow.steps = 10
        var other = flow
        other.checkpointEvery = 2
        other.logEvery = 1
        var ae = TrainAEOptions(), otherAE = TrainAEOptions()
        otherAE.gridEvery = 1
        otherAE.checkpointEvery = 3
        for (a, b) in [
            (try StageSettings(flow, runFolder: run, base: base), try StageSettings(other, runFolder: run, base: base)),
            (try StageSettings(ae, runFolder: run, base: base), try StageSettings(otherAE, runFolder: run, base: base)),
        ] {
            XCTAssertEqual(b.changes(from: a), [])
            XCTAssertEqual(
                StageKey.of(.trainFlow, settings: a, consumed: [:]), StageKey.of(.trainFlow, settings: b, consumed: [:])
            )
        }
        // What changes the model or a metric still counts.
        other.evalEvery = 7
        ae.seed = 1
        XCTAssertEqual(
            try StageSettings(other, runFolder: run, base: base).changes(
                from: try StageSettings(flow, runFolder: run, base: base)), ["evalEvery: (unset) → 7"])
        XCTAssertEqual(
            try StageSettings(ae, runFolder: run, base: base).changes(
                from: try StageSettings(otherAE, runFolder: run, base: base)), ["seed: 0 → 1"])
    }

    /// Paths inside the run folder are relative to it, so a moved run folder keeps its settings;
    /// outside it they are absolute, so `./x` and `x` agree.
    func testPathsAreResolvedAndRunRelative() throws {
        var a = GenerateStage.Options()
        a.autoencoder = "./artifacts/flowers/decoder/../decoder/model.safetensors"
        let here = try StageSettings(a, runFolder: run, base: base)
        XCTAssertEqual(here.values["autoencoder"], "\"<run>/decoder/model.safetensors\"")
        var moved = a
        moved.autoencoder = "/elsewhere/runs/flowers/decoder/model.safetensors"
        XCTAssertEqual(
            try StageSettings(moved, runFolder: URL(fileURLWithPath: "/elsewhere/runs/flowers"), base: base), here)
        var outside = GenerateStage.Options()
        outside.autoencoder = "models/ae.safetensors"
        var absolute = outside
        absolute.autoencoder = "/srv/flowers/project/./models/ae.safetensors"
        XCTAssertEqual(
            try StageSettings(outside, runFolder: run, base: base),
            try StageSettings(absolute, runFolder: run, base: base))
    }

    /// Only options that are files or folders are resolved as paths: the flow's probability
    /// path (`training.path`) is a word, and the generated latents' file is nested.
    func testOnlyFileOptionsAreResolved() throws {
        var flow = TrainFlowStage.Options()
        flow.training.path = .cosine
        flow.dataset = "artifacts/flowers/dataset"
        let settings = try StageSettings(flow, runFolder: run, base: base)
        XCTAssertEqual(settings.values["training.path"], "\"cosine\"")
        XCTAssertEqual(settings.values["dataset"], "\"<run>/dataset\"")
        var ae = TrainAEOptions()
        ae.generatedLatents = GeneratedLatentOptions(path: "./artifacts/flowers/flow-latents/latents.safetensors")
        XCTAssertEqual(
            try StageSettings(ae, runFolder: run, base: base).values["generatedLatents.path"],
            "\"<run>/flow-latents/latents.safetensors\"")
    }

    /// Sets are encoded in hash order; their settings do not depend on it.
    func testSetsDoNotDependOnTheirOrder() throws {
        var a = EvaluateStage.Options()
        a.realSubsets = [.validation, .test, .train]
        let first = try StageSettings(a, runFolder: run, base: base)
        for _ in 0..<5 {
            var b = EvaluateStage.Options()
            b.realSubsets = Set([.train, .validation, .test].shuffled())
            XCTAssertEqual(try StageSettings(b, runFolder: run, base: base), first)
        }
    }
}
