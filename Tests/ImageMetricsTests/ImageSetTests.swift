import ImageMetrics
import TensorCore
import XCTest

final class ImageSetTests: XCTestCase {
    func testShapeIsChecked() {
        XCTAssertNoThrow(try ImageSet(count: 2, height: 3, width: 4, pixels: [UInt8](repeating: 0, count: 72)))
        XCTAssertThrowsError(try ImageSet(count: 2, height: 3, width: 4, pixels: [UInt8](repeating: 0, count: 71))) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .invalidShape)
        }
        XCTAssertThrowsError(try ImageSet(count: 1, height: 0, width: 4, pixels: []))
    }

    func testSignedFloatsRoundToTheNearestLevelLikeAPNG() throws {
        // One 1×2 image: R = (-1, 1), G = (0, 2), B = (-0.5, -3).
        let values: [Float] = [-1, 1, 0, 2, -0.5, -3]
        let set = try ImageSet(signedNCHW: values, count: 1, height: 1, width: 2)
        XCTAssertEqual(set.pixels, [0, 128, 64, 255, 255, 0])
        let tensor = Tensor(shape: [1, 3, 1, 2], values: values)
        XCTAssertEqual(try ImageSet(tensor: tensor), set)
    }

    func testNonFiniteValuesAreAnErrorNotGrey() {
        XCTAssertThrowsError(try ImageSet(signedNCHW: [0, .nan, 0], count: 1, height: 1, width: 1)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .nonFinite)
            XCTAssertTrue(String(describing: $0).contains("1 of 3"), "\($0)")
        }
        XCTAssertThrowsError(try ImageSet(tensor: Tensor(shape: [1, 1, 2, 2], values: [0, 0, 0, 0]))) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .invalidShape)
        }
    }

    func testSubsetPrefixAndPlanes() throws {
        let set = try ImageSet(count: 3, height: 1, width: 1, pixels: [0, 0, 0, 255, 51, 102, 9, 9, 9])
        XCTAssertEqual(set.subset([2, 1]).pixels, [9, 9, 9, 255, 51, 102])
        XCTAssertEqual(set.prefix(1).count, 1)
        XCTAssertEqual(set.prefix(10), set)
        for (value, expected) in zip(set.planes(1), [Float(1), 0.2, 0.4]) {
            XCTAssertEqual(value, expected, accuracy: 1e-6)
        }
    }
}
