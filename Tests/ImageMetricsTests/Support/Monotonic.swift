import XCTest

/// Asserts that `scores` (one per strength, weakest first) all exceed `baseline` and increase.
func assertWorsens(
    _ baseline: Double, _ scores: [Double], _ what: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    let text = "\(what): baseline \(baseline), strengths → \(scores)"
    XCTAssertGreaterThan(scores[0], baseline, text, file: file, line: line)
    for i in 1..<scores.count {
        XCTAssertGreaterThan(scores[i], scores[i - 1], text, file: file, line: line)
    }
}
