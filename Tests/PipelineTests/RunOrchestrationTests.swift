import Foundation
import Pipeline
import XCTest

final class RunOrchestrationTests: XCTestCase {
    func testConfigFileOverlaysThePresetAndBecomesArguments() throws {
        let config = try RunConfig.parse(
            """
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
        let config = try RunConfig.parse(
            "preset: quick\nstages:\n  train-ae:\n  generate: { steps: 10 }\n", source: "n.yaml")
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

    /// A changed setting changes its own stage's settings; the stages below read its outputs,
    /// so they are redone when those change (see `RunAssessmentTests`).
    func testAChangedSettingReachesItsStageAndEverythingBelowReadsIt() {
        let base = RunConfig(preset: .quick)
        var changed = base
        changed.stages[.trainAE]?["minutes"] = .value("7")
        let a = stageArguments(base), b = stageArguments(changed)
        for stage in RunStage.allCases { XCTAssertEqual(a[stage] == b[stage], stage != .trainAE, stage.rawValue) }
        for stage in [RunStage.encode, .trainFlow, .generate, .evaluate] {
            XCTAssertTrue(stage.dependsOn(.trainAE), stage.rawValue)
        }
        XCTAssertFalse(RunStage.prepare.dependsOn(.trainAE))
    }

    /// The saved configuration reads back as the same configuration, whatever its values look
    /// like to YAML (words YAML takes for booleans, lists with commas, colons).
    func testTheSavedConfigurationReadsBackUnchanged() throws {
        var config = RunConfig(preset: .default, run: "oxford", artifacts: "my artifacts")
        config.stages[.generate]?["classes"] = .list(["no", "yes", "a,b", "x: y"])
        config.stages[.prepare]?["data"] = .value("photos #1")
        config.stages[.evaluate]?["floor"] = .flag(false)
        config.stages[.trainAE]?["lr"] = .value("on")
        let yaml = try config.yaml()
        XCTAssertEqual(try RunConfig.parse(yaml, source: "saved.yaml"), config, yaml)
    }

    /// The saved file is the YAML encoder's: numbers plain in their own spelling, stages in
    /// pipeline order, words YAML would misread quoted; and it reads back as the same configuration.
    func testTheSavedConfigurationIsEncodedNotWrittenByHand() throws {
        var config = RunConfig(preset: .quick, run: "r")
        config.stages[.trainFlow]?["lr"] = .value("1e-4")
        config.stages[.generate]?["classes"] = .list(["no", "3"])
        let text = try config.yaml()
        XCTAssertTrue(text.contains("minutes: 4\n"), text)
        XCTAssertTrue(text.contains("width-scale: 0.5\n"), text)
        XCTAssertTrue(text.contains("lr: 1e-4\n"), text)
        XCTAssertTrue(text.contains("- 'no'\n"), text)
        let order = RunStage.allCases.compactMap { text.range(of: "  \($0.rawValue):")?.lowerBound }
        XCTAssertEqual(order.count, RunStage.allCases.count, text)
        XCTAssertEqual(order, order.sorted(), "stages in pipeline order:\n\(text)")
        XCTAssertEqual(try RunConfig.parse(text, source: "saved.yaml"), config, text)
        XCTAssertEqual(try config.yaml(), text, "the same configuration is the same file")
    }

    /// An option's value must be a scalar or a list of scalars; the error names the option.
    func testANestedOptionValueIsAnErrorNamingTheOption() {
        XCTAssertThrowsError(try RunConfig.parse("stages:\n  train-flow: { base: { a: 1 } }\n", source: "n.yaml")) {
            error in
            XCTAssertTrue("\(error)".hasPrefix("n.yaml: stages.train-flow.base: expected"), "\(error)")
        }
        XCTAssertThrowsError(try RunConfig.parse("run: [a, b]\n", source: "r.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("r.yaml: 'run' must be a name"), "\(error)")
        }
        XCTAssertEqual(try RunConfig.parse("# nothing yet\n", source: "e.yaml"), RunConfig(preset: .quick))
    }

    func testReservedKeysAreThoseRunSetsItself() {
        XCTAssertTrue(
            RunConfig.reservedKeys(of: .trainFlow).isSuperset(of: [
                "output", "resume", "restart", "run", "artifacts", "space",
            ]))
        XCTAssertTrue(RunConfig.reservedKeys(of: .generate).contains("latents-only"))
        XCTAssertFalse(RunConfig.reservedKeys(of: .generate).contains("space"))
    }

    /// A false flag becomes the command's `--no-` switch where it has one.
    func testAFalseFlagBecomesItsNegationWhereTheCommandHasOne() {
        var config = RunConfig(preset: .quick)
        config.stages[.evaluate] = ["floor": .flag(false)]
        config.stages[.trainFlow]?["ot"] = .flag(false)
        XCTAssertTrue(config.arguments(for: .evaluate, negatedFlag: { "no-\($0)" }).contains("--no-floor"))
        XCTAssertFalse(config.arguments(for: .trainFlow, negatedFlag: { _ in nil }).contains { $0.contains("ot") })
    }
}
