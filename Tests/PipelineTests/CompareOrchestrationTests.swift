import Foundation
import Pipeline
import XCTest

/// `pipeline run` and the optional pixel baseline and compare stages.
final class CompareOrchestrationTests: XCTestCase {
    func testOptionalStagesAreOffUnlessEnabledAndLeaveTheOthersAlone() throws {
        let plain = RunConfig(preset: .quick)
        XCTAssertFalse(plain.isEnabled(.trainPixel))
        XCTAssertFalse(plain.isEnabled(.compare))
        XCTAssertTrue(plain.isEnabled(.trainFlow))

        let enabled = try RunConfig.parse(
            """
            preset: quick
            stages:
              compare: { enabled: true }
            """, source: "compare.yaml")
        XCTAssertTrue(enabled.isEnabled(.compare))
        XCTAssertTrue(enabled.isEnabled(.trainPixel), "compare needs the pixel baseline")
        let a = stageArguments(plain), b = stageArguments(enabled)
        for stage in RunStage.allCases where !stage.isOptional {
            XCTAssertEqual(a[stage], b[stage], "enabling compare changes nothing about \(stage.rawValue)")
        }
        XCTAssertEqual(RunStage.allCases.suffix(2), [.trainPixel, .compare], "optional stages run after the main ones")
        XCTAssertEqual(RunStage.trainPixel.folder, "pixel-flow")
        XCTAssertTrue(RunStage.trainPixel.resumable)
    }

    func testThePixelBaselineAndCompareShareTheMainStagesSettings() throws {
        let config = try RunConfig.parse(
            """
            preset: quick
            stages:
              train-flow: { minutes: 30 }
              generate: { steps: 12, guidance: 2, guidance-interval: "0.2,1" }
              compare: { enabled: true, count: 50 }
            """, source: "compare.yaml")
        let pixel = config.arguments(for: .trainPixel).joined(separator: " ")
        XCTAssertTrue(pixel.contains("--space pixel"), pixel)
        XCTAssertTrue(pixel.contains("--minutes 30"), "the same budget as the latent flow: \(pixel)")
        XCTAssertFalse(pixel.contains("--base"), "network options of the latent flow are not shared: \(pixel)")
        let compare = config.arguments(for: .compare).joined(separator: " ")
        XCTAssertFalse(compare.contains("enabled"), compare)
        XCTAssertTrue(compare.contains("--count 50"), "its own setting wins: \(compare)")
        XCTAssertTrue(
            compare.contains("--steps 12") && compare.contains("--guidance 2")
                && compare.contains("--guidance-interval 0.2,1"),
            "generate's sampler settings: \(compare)")
        XCTAssertTrue(compare.contains("--minutes 30"), compare)

        // A baseline given its own budget keeps it; changing train-flow's budget changes both.
        var own = config
        own.stages[.trainPixel] = ["minutes": .value("10")]
        XCTAssertTrue(own.arguments(for: .trainPixel).joined(separator: " ").contains("--minutes 10"))
        var longer = config
        longer.stages[.trainFlow]?["minutes"] = .value("31")
        let a = stageArguments(config), b = stageArguments(longer)
        XCTAssertNotEqual(a[.trainPixel], b[.trainPixel])
        XCTAssertNotEqual(a[.compare], b[.compare])
        let yaml = try config.yaml()
        XCTAssertTrue(yaml.contains("  compare:\n    count: 50\n    enabled: true"), yaml)
    }
}
