import XCTest
import LatentFlow

final class LatentFlowSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
