import Foundation
import Pipeline
import XCTest

/// KNOWN FAILURE, NOT FIXED HERE (reported to the lead; RunConfig.swift is being reworked by
/// another engineer): `RunConfig.parse` expands YAML aliases without limit (Yams builds every
/// aliased node again), so a few hundred bytes become millions of values. A 525-byte file of nine
/// levels of ten aliases exhausted 4 GiB and crashed `pipeline status --config` (found by hand
/// while writing the run-config fuzz target). The fixture, five levels (111,110 values, 465
/// bytes), parses today, slowly (seconds, not measured precisely); the test expects it refused
/// with an error naming the file.
///
/// Skipped unless FMF_KNOWN_FAILURES=1, so that the suite stays green until the fix lands; the
/// fix should remove the skip.
final class RunConfigAliasExpansionTests: XCTestCase {
    func testAliasesExpandingToA100000ValuesAreAnErrorNamingTheFile() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["FMF_KNOWN_FAILURES"] == "1",
                          "known failure, not fixed yet: RunConfig.parse expands YAML aliases without limit")
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/run-config-alias-expansion.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertThrowsError(try RunConfig.parse(text, source: url.path)) { error in
            XCTAssertTrue(String(describing: error).contains(url.path), "\(error)")
        }
    }
}
