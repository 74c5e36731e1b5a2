import Datasets
import FileFormats
import TensorCore
import XCTest

final class AugmentationTests: XCTestCase {
    func testHorizontalFlipMirrorsAndIsItsOwnInverse() {
        let image = TestImages.coordinates(width: 7, height: 3)
        let flipped = Augmentation.horizontalFlip(image)
        XCTAssertEqual(TestImages.pixel(flipped, 0, 1).0, 6)
        XCTAssertEqual(TestImages.pixel(flipped, 6, 2).0, 0)
        XCTAssertEqual(TestImages.pixel(flipped, 3, 2).1, 2)
        XCTAssertEqual(Augmentation.horizontalFlip(flipped), image)
    }

    func testRandomFlipFollowsTheGenerator() {
        let image = TestImages.coordinates(width: 5, height: 5)
        var rng = SeededGenerator(seed: 3)
        var flips = 0
        for _ in 0..<400 where Augmentation.randomHorizontalFlip(image, rng: &rng) != image { flips += 1 }
        XCTAssertGreaterThan(flips, 150)
        XCTAssertLessThan(flips, 250)
    }

    func testRandomResizedCropIsDeterministicAndInRange() throws {
        let crop = RandomResizedCrop(size: 32, scale: 0.25...1.0, ratio: 0.75...(4.0 / 3.0))
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let r = crop.rect(width: 144, height: 120, rng: &a)
            XCTAssertEqual(r, crop.rect(width: 144, height: 120, rng: &b))
            XCTAssertGreaterThanOrEqual(r.x, 0)
            XCTAssertGreaterThanOrEqual(r.y, 0)
            XCTAssertLessThanOrEqual(r.x + r.width, 144)
            XCTAssertLessThanOrEqual(r.y + r.height, 120)
            let area = Double(r.width * r.height) / Double(144 * 120)
            // Rounding of the sides moves the area and ratio a little past the ranges.
            XCTAssertGreaterThan(area, 0.22)
            XCTAssertLessThanOrEqual(area, 1.0)
            let ratio = Double(r.width) / Double(r.height)
            XCTAssertGreaterThan(ratio, 0.7)
            XCTAssertLessThan(ratio, 1.4)
        }
        var rng = SeededGenerator(seed: 1)
        let out = try crop.apply(TestImages.gradient(width: 144, height: 120), rng: &rng)
        XCTAssertEqual(out.width, 32)
        XCTAssertEqual(out.height, 32)
    }

    /// When no random crop fits (an extreme panorama and a narrow ratio range), torchvision falls
    /// back to the largest centred crop whose ratio is allowed.
    func testRandomResizedCropFallsBackToACentredCrop() {
        let crop = RandomResizedCrop(size: 16, scale: 0.9...1.0, ratio: 1.0...1.0)
        var rng = SeededGenerator(seed: 5)
        let r = crop.rect(width: 400, height: 40, rng: &rng)
        XCTAssertEqual(r, CropRect(x: 180, y: 0, width: 40, height: 40))
    }

    func testInvalidCropSettingsThrow() {
        var rng = SeededGenerator(seed: 5)
        let image = TestImages.gradient(width: 20, height: 20)
        XCTAssertThrowsError(try RandomResizedCrop(size: 0).apply(image, rng: &rng))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, scale: 0.5...2).apply(image, rng: &rng))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8).apply(RGBImage(width: 0, height: 0), rng: &rng))
        XCTAssertThrowsError(try RandomResizedCrop(size: 8, ratio: -1...0).apply(image, rng: &rng))
        // The rectangle alone never traps, whatever it is given.
        XCTAssertEqual(
            RandomResizedCrop(size: 8, scale: -1...0.5).rect(width: 10, height: 6, rng: &rng),
            CropRect(x: 0, y: 0, width: 10, height: 6))
        XCTAssertEqual(
            RandomResizedCrop(size: 8).rect(width: -3, height: 6, rng: &rng), CropRect(x: 0, y: 0, width: 0, height: 6))
    }
}
