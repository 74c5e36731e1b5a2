import ImageMetrics
import XCTest

final class ImageMetricsSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
