import XCTest
import FileFormats

final class FileFormatsSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
