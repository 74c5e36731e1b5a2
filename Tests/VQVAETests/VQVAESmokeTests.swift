import XCTest
import VQVAE

final class VQVAESmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
