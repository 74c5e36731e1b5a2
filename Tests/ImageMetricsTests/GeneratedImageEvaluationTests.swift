import Foundation
import ImageMetrics
import XCTest

final class GeneratedImageEvaluationTests: XCTestCase {
    func testAReportHasEveryMetricAndSurvivesJSON() throws {
        let real = TestImages.make(count: 6, size: 32, seed: 1),
            generated = TestImages.make(count: 5, size: 32, seed: 2)
        var options = GeneratedImageEvaluation.Options(seed: 4)
        options.imageStatisticsKernelDistance.subsets = 5
        XCTAssertEqual(options.slicedWasserstein.seed, 4)
        var lines: [String] = []
        let report = try GeneratedImageEvaluation(options: options).evaluate(generated: generated, reference: real) {
            lines.append($0)
        }
        XCTAssertEqual(report.slicedWasserstein.resolutions, [32, 16])
        XCTAssertEqual(report.generatedCount, 5)
        XCTAssertEqual(report.referenceCount, 6)
        XCTAssertEqual(report.imageStatisticsKernelDistance.subsetSize, 2)
        XCTAssertEqual(Set(report.seconds.keys), ["swd", "iskd", "pixels"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("SWD ×10³ at 32 px") }, "\(lines)")
        let decoded = try JSONDecoder().decode(GeneratedImageEvaluation.Report.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
        // The same seed gives the same numbers.
        let again = try GeneratedImageEvaluation(options: options).evaluate(generated: generated, reference: real)
        XCTAssertEqual(again.slicedWasserstein, report.slicedWasserstein)
        XCTAssertEqual(again.imageStatisticsKernelDistance, report.imageStatisticsKernelDistance)
        XCTAssertEqual(again.pixels, report.pixels)
    }
}
