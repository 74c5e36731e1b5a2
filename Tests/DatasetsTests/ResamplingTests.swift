import Datasets
import FileFormats
import XCTest

final class ResamplingTests: XCTestCase {
    func testConstantImageStaysConstantWithEveryFilter() throws {
        let image = TestImages.constant(width: 97, height: 61, (200, 13, 128))
        for filter in ResampleFilter.allCases {
            for (w, h) in [(31, 17), (150, 200), (97, 30)] {
                let out = try Resampler.resize(image, width: w, height: h, filter: filter)
                XCTAssertEqual(out.width, w)
                XCTAssertEqual(out.height, h)
                XCTAssertEqual(out, TestImages.constant(width: w, height: h, (200, 13, 128)), "\(filter) to \(w)×\(h)")
            }
        }
    }

    /// The checkerboard's frequency cannot exist on the smaller grid; a proper low-pass turns it
    /// into flat grey, while point sampling would turn it into black, white or moiré.
    func testDownscaledCheckerboardBecomesUniformGrey() throws {
        let board = TestImages.checkerboard(width: 256, height: 256)
        for filter in ResampleFilter.allCases {
            for target in [32, 37, 100] {
                let out = try Resampler.resize(board, width: target, height: target, filter: filter)
                let values = out.pixels.map(Int.init)
                let lo = values.min()!, hi = values.max()!
                XCTAssertGreaterThanOrEqual(lo, 120, "\(filter) → \(target): darkest \(lo)")
                XCTAssertLessThanOrEqual(hi, 136, "\(filter) → \(target): brightest \(hi)")
            }
        }
    }

    func testSmoothGradientIsPreserved() throws {
        let image = TestImages.gradient(width: 300, height: 200)
        for filter in ResampleFilter.allCases {
            for (w, h) in [(75, 50), (600, 400)] {
                let out = try Resampler.resize(image, width: w, height: h, filter: filter)
                var worst = 0
                // The border rows are excluded: there the kernel is cut by the image edge.
                for y in 2..<(h - 2) {
                    for x in 2..<(w - 2) {
                        let (r, g, b) = TestImages.pixel(out, x, y)
                        let er = Int((Double(x) + 0.5) / Double(w) * 255), eg = Int((Double(y) + 0.5) / Double(h) * 255)
                        worst = max(worst, abs(r - er), abs(g - eg), abs(b - 77))
                    }
                }
                XCTAssertLessThanOrEqual(worst, 2, "\(filter) to \(w)×\(h)")
            }
        }
    }

    func testShorterSideResizeKeepsAspectForOddShapes() throws {
        let cases: [(Int, Int, Int, Int, Int)] = [  // in w, in h, target, expected w, expected h
            (500, 333, 144, 216, 144), (333, 500, 144, 144, 216), (1000, 7, 5, 714, 5),
            (7, 1000, 5, 5, 714), (101, 101, 64, 64, 64), (640, 480, 32, 43, 32),
        ]
        for (w, h, target, ew, eh) in cases {
            let result = try Resampler.resizeShorterSide(TestImages.gradient(width: w, height: h), to: target)
            XCTAssertEqual(result.image.width, ew, "\(w)×\(h) → \(target)")
            XCTAssertEqual(result.image.height, eh, "\(w)×\(h) → \(target)")
            XCTAssertFalse(result.wasUpscaled)
            XCTAssertNil(result.warning)
        }
    }

    func testEnlargingIsAllowedButWarned() throws {
        let result = try Resampler.resizeShorterSide(
            TestImages.gradient(width: 40, height: 30), to: 60, filter: .bicubic)
        XCTAssertEqual(result.image.width, 80)
        XCTAssertEqual(result.image.height, 60)
        XCTAssertTrue(result.wasUpscaled)
        XCTAssertEqual(result.scale, 2, accuracy: 1e-9)
        XCTAssertNotNil(result.warning)
    }

    func testCentreCropWithMarginGivesTheSquare() throws {
        let image = TestImages.coordinates(width: 250, height: 180)
        let prepared = try Cropper.resizeAndCenterCrop(image, size: 128, margin: 16)
        XCTAssertEqual(prepared.image.width, 144)
        XCTAssertEqual(prepared.image.height, 144)
        let plain = try Cropper.resizeAndCenterCrop(image, size: 64)
        XCTAssertEqual(plain.image.width, 64)

        let crop = try Cropper.centerCrop(TestImages.coordinates(width: 11, height: 8), width: 4, height: 3)
        XCTAssertEqual(TestImages.pixel(crop, 0, 0).0, 3)  // (11 − 4) / 2
        XCTAssertEqual(TestImages.pixel(crop, 0, 0).1, 2)  // (8 − 3) / 2
        XCTAssertEqual(TestImages.pixel(crop, 3, 2).0, 6)
    }

    func testBadSizesThrow() throws {
        let image = TestImages.gradient(width: 10, height: 10)
        XCTAssertThrowsError(try Resampler.resize(image, width: 0, height: 5))
        XCTAssertThrowsError(try Resampler.resize(RGBImage(width: 0, height: 0), width: 4, height: 4))
        XCTAssertThrowsError(try Resampler.resizeShorterSide(image, to: -1))
        XCTAssertThrowsError(try Cropper.centerCrop(image, width: 11, height: 5))
        XCTAssertThrowsError(try Cropper.crop(image, to: CropRect(x: 8, y: 0, width: 4, height: 4)))
        XCTAssertThrowsError(try Cropper.resizeAndCenterCrop(image, size: 0))
        XCTAssertThrowsError(try Resampler.resize(image, width: 1 << 40, height: 1))
        XCTAssertThrowsError(try Resampler.resizeShorterSide(TestImages.gradient(width: 1, height: 1000), to: 1000))
    }
}
