import Foundation
import Pipeline
import XCTest

/// Found while writing the run-config fuzz target: `RunConfig.parse` expanded YAML aliases without
/// limit (Yams' decoder visits an aliased node at every use), so 525 bytes of nine levels of ten
/// aliases exhausted 4 GiB and crashed `pipeline status --config`. Now a configuration may hold
/// `YAMLExpansionLimit.maximumValues` values, aliases expanded, and is refused past that.
final class RunConfigAliasExpansionTests: XCTestCase {
    func testAliasesExpandingToA100000ValuesAreAnErrorNamingTheFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/run-config-alias-expansion.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertThrowsError(try RunConfig.parse(text, source: url.path)) { error in
            XCTAssertTrue(String(describing: error).contains(url.path), "\(error)")
            XCTAssertTrue(String(describing: error).contains("aliases"), "\(error)")
        }
    }

    /// The crashing input itself: a billion values, refused after counting the first ten thousand.
    func testNineLevelsOfTenAliasesAreRefusedWithoutExpandingThem() {
        var lines = ["stages:", "  train-ae:", "    a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 {
            let uses = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("    a\(level): &a\(level) [\(uses)]")
        }
        XCTAssertThrowsError(try RunConfig.parse(lines.joined(separator: "\n"), source: "laughs.yaml")) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("laughs.yaml: "), "\(error)")
        }
    }

    /// Anchors that share options between stages are ordinary YAML and stay accepted.
    func testAnAnchorSharedBetweenStagesIsRead() throws {
        let text = """
            stages:
              train-ae: &budget
                minutes: 2.5
              train-flow: *budget
            """
        let config = try RunConfig.parse(text, source: "shared.yaml")
        XCTAssertEqual(config.stages[.trainAE]?["minutes"], 2.5)
        XCTAssertEqual(config.stages[.trainFlow]?["minutes"], 2.5)
    }
}
