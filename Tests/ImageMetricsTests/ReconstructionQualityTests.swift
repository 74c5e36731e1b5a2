import ImageMetrics
import TensorCore
import XCTest

final class ReconstructionQualityTests: XCTestCase {
    func testPerfectReconstructions() throws {
        let set = TestImages.make(count: 3, size: 16, seed: 1)
        XCTAssertEqual(try ReconstructionQuality.psnr(set, set), ReconstructionQuality.maximumPSNR)
        XCTAssertEqual(try ReconstructionQuality.ssim(set, set), 1, accuracy: 1e-6)
    }

    func testAConstantErrorHasTheTextbookPSNR() throws {
        let a = TestImages.flat(count: 2, size: 12, value: 100), b = TestImages.flat(count: 2, size: 12, value: 126)
        // MSE = (26/255)², PSNR = 20·log10(255/26).
        XCTAssertEqual(try ReconstructionQuality.psnr(a, b), 20 * log10(255.0 / 26), accuracy: 1e-5)
        // Flat images: only the luminance term remains, (2μxμy + C1) / (μx² + μy² + C1).
        let (x, y, c1) = (100.0 / 255, 126.0 / 255, 0.0001)
        XCTAssertEqual(try ReconstructionQuality.ssim(a, b), (2 * x * y + c1) / (x * x + y * y + c1), accuracy: 1e-7)
    }

    func testNoiseAndBlurLowerBothWithStrength() throws {
        let set = TestImages.make(count: 4, size: 32, seed: 2)
        for (name, sets) in Degradation.ladders(set).prefix(2) {
            let psnr = try sets.map { try ReconstructionQuality.psnr($0, set) }
            let ssim = try sets.map { try ReconstructionQuality.ssim($0, set) }
            assertWorsens(-ReconstructionQuality.maximumPSNR, psnr.map { -$0 }, "PSNR, \(name)")
            assertWorsens(-1, ssim.map { -$0 }, "SSIM, \(name)")
        }
    }

    func testTensorsAreScoredLikeTheirImages() throws {
        let original = TestImages.make(count: 2, size: 16, seed: 3)
        let noisy = Degradation.noise(original, sigma: 12)
        func tensor(_ set: ImageSet) -> Tensor {
            var values = [Float](repeating: 0, count: set.count * 3 * set.height * set.width)
            for n in 0..<set.count {
                let planes = set.planes(n)
                for i in 0..<planes.count { values[n * planes.count + i] = planes[i] * 2 - 1 }
            }
            return Tensor(shape: [set.count, 3, set.height, set.width], values: values)
        }
        XCTAssertEqual(
            try ReconstructionQuality.psnr(tensor(noisy), tensor(original)),
            try ReconstructionQuality.psnr(noisy, original), accuracy: 1e-3)
        XCTAssertEqual(
            try ReconstructionQuality.ssim(tensor(noisy), tensor(original)),
            try ReconstructionQuality.ssim(noisy, original), accuracy: 1e-4)
        XCTAssertThrowsError(try ReconstructionQuality.psnr(tensor(noisy), Tensor(zeros: [1, 3, 16, 16])))
    }

    func testMismatchedOrTinyImagesAreErrors() {
        let a = TestImages.make(count: 2, size: 16, seed: 4), b = TestImages.make(count: 3, size: 16, seed: 4)
        XCTAssertThrowsError(try ReconstructionQuality.psnr(a, b)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .mismatchedSets)
        }
        let tiny = TestImages.make(count: 1, size: 10, seed: 4)
        XCTAssertThrowsError(try ReconstructionQuality.ssim(tiny, tiny)) {
            XCTAssertEqual(($0 as? ImageMetricsError)?.kind, .tooSmall)
        }
        XCTAssertNoThrow(try ReconstructionQuality.psnr(tiny, tiny))
    }
}
