import Foundation
import Pipeline
import XCTest

final class RunOrchestrationTests: XCTestCase {
    func testConfigFileOverlaysThePresetAndBecomesArguments() throws {
        let config = try RunConfig.parse("""
            preset: quick
            run: flowers
            stages:
              train-ae: { minutes: 10, width-scale: 0.25 }
              train-flow: { ot: true, multipliers: [1, 2] }
            """, source: "test.yaml")
        XCTAssertEqual(config.run, "flowers")
        let ae = config.arguments(for: .trainAE)
        XCTAssertEqual(Array(ae.prefix(4)), ["--run", "flowers", "--artifacts", "artifacts"])
        XCTAssertTrue(ae.joined(separator: " ").contains("--minutes 10"))
        XCTAssertTrue(ae.joined(separator: " ").contains("--width-scale 0.25"))
        let flow = config.arguments(for: .trainFlow).joined(separator: " ")
        XCTAssertTrue(flow.contains("--ot"))
        XCTAssertTrue(flow.contains("--multipliers 1 2"))
        XCTAssertEqual(config.arguments(for: .prepare)[2...3], ["--output", "artifacts/flowers/dataset"])
    }

    /// A stage listed with nothing after it is YAML null: no options, not an error; a stage
    /// whose options are not a mapping is one.
    func testAStageWithoutOptionsIsEmptyAndAListIsAnError() throws {
        let config = try RunConfig.parse("preset: quick\nstages:\n  train-ae:\n  generate: { steps: 10 }\n", source: "n.yaml")
        XCTAssertEqual(config.arguments(for: .trainAE), RunConfig(preset: .quick).arguments(for: .trainAE))
        XCTAssertTrue(config.arguments(for: .generate).joined(separator: " ").contains("--steps 10"))
        XCTAssertThrowsError(try RunConfig.parse("stages:\n  train-ae: [1, 2]\n", source: "l.yaml")) { error in
            XCTAssertTrue("\(error)".contains("the options of stage 'train-ae' must be a mapping"), "\(error)")
        }
    }

    func testUnknownSettingsAreErrorsNamingTheFile() {
        for text in ["stpes: 3", "stages:\n  train-vae: {}", "preset: huge", "stages: [1, 2]"] {
            XCTAssertThrowsError(try RunConfig.parse(text, source: "my.yaml")) { error in
                XCTAssertTrue(String(describing: error).hasPrefix("my.yaml: "), "\(error)")
            }
        }
    }

    func testAChangedSettingInvalidatesItsStageAndEverythingBelow() {
        let base = RunConfig(preset: .quick)
        var changed = base
        changed.stages[.trainAE]?["minutes"] = .value("7")
        let a = RunLedger.fingerprints(base), b = RunLedger.fingerprints(changed)
        XCTAssertEqual(a[.prepare], b[.prepare])
        for stage in [RunStage.trainAE, .encode, .trainFlow, .generate, .evaluate] {
            XCTAssertNotEqual(a[stage], b[stage], stage.rawValue)
        }
    }

    func testStageStatesFromManifestsAndTheLedger() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("run-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let config = RunConfig(preset: .quick)
        let fingerprints = RunLedger.fingerprints(config)
        var ledger = RunLedger()
        func state(_ stage: RunStage, upstream: [RunStage: RunStageState] = [:]) -> RunStageState {
            RunStageState.of(stage, runFolder: run, ledger: ledger, fingerprint: fingerprints[stage]!, upstreamStates: upstream)
        }
        XCTAssertEqual(state(.prepare), .missing)
        let folder = run.appendingPathComponent("dataset")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger.stages["prepare"] = RunLedger.Entry(started: fingerprints[.prepare])
        XCTAssertEqual(state(.prepare), .stale("interrupted before it finished"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        XCTAssertEqual(state(.prepare), .stale("made outside `pipeline run` (no record of its settings)"))
        ledger.stages["prepare"]?.completed = fingerprints[.prepare]
        XCTAssertEqual(state(.prepare), .done)
        ledger.stages["prepare"]?.completed = "something else"
        XCTAssertEqual(state(.prepare), .stale("its settings or an upstream stage changed"))
        let ae = run.appendingPathComponent("autoencoder")
        try FileManager.default.createDirectory(at: ae, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: ae.appendingPathComponent("manifest.json"))
        XCTAssertEqual(state(.trainAE, upstream: [.prepare: .missing]), .stale("upstream prepare is not done"))
    }
}
