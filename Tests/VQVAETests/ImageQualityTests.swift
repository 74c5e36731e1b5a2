import Foundation
import TensorCore
import VQVAE
import XCTest

final class ImageQualityTests: XCTestCase {
    private func noisy(_ image: Tensor, std: Float, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return image.zipMap(Initialization.normal(shape: image.shape, std: std, generator: &generator), +)
    }

    private func pattern(count: Int = 2, side: Int = 32) -> Tensor {
        var values: [Float] = []
        for n in 0..<count {
            for c in 0..<3 {
                for h in 0..<side {
                    for w in 0..<side {
                        values.append(0.7 * Float(sin(0.3 * Double(h + n) + 0.2 * Double(w) + Double(c))))
                    }
                }
            }
        }
        return Tensor(shape: [count, 3, side, side], values: values)
    }

    func testIdenticalImagesScoreInfinityAndOne() {
        let image = pattern()
        XCTAssertEqual(ImageQuality.psnr(image, image), [.infinity, .infinity])
        for value in ImageQuality.ssim(image, image) { XCTAssertEqual(value, 1, accuracy: 1e-9) }
    }

    func testNoiseLowersBothAndMoreNoiseLowersThemMore() {
        let image = pattern()
        let slight = noisy(image, std: 0.05, seed: 1), strong = noisy(image, std: 0.3, seed: 1)
        let psnrSlight = ImageQuality.psnr(image, slight), psnrStrong = ImageQuality.psnr(image, strong)
        let ssimSlight = ImageQuality.ssim(image, slight), ssimStrong = ImageQuality.ssim(image, strong)
        for i in 0..<2 {
            XCTAssertTrue(psnrSlight[i].isFinite)
            XCTAssertLessThan(psnrStrong[i], psnrSlight[i])
            XCTAssertLessThan(ssimSlight[i], 1)
            XCTAssertLessThan(ssimStrong[i], ssimSlight[i])
        }
        // σ = 0.05 in [-1, 1] is 0.025 in [0, 1]: PSNR ≈ 20·log10(1/0.025) = 32 dB.
        XCTAssertEqual(psnrSlight[0], 32, accuracy: 0.5)
    }

    func testPSNROfAKnownOffset() {
        // A difference of 0.2 in [-1, 1] is 0.1 in [0, 1]: MSE 0.01, 20 dB.
        let a = Tensor(shape: [1, 3, 8, 8], repeating: -0.5), b = Tensor(shape: [1, 3, 8, 8], repeating: -0.3)
        XCTAssertEqual(ImageQuality.psnr(a, b)[0], 20, accuracy: 1e-4)
    }

    func testSSIMOfConstantImagesIsTheLuminanceTerm() {
        // No variance: SSIM = (2xy + C1) / (x² + y² + C1).
        let a = Tensor(shape: [1, 3, 16, 16], repeating: 0), b = Tensor(shape: [1, 3, 16, 16], repeating: -0.6)
        let x = 0.5, y = 0.2, c1 = 0.0001
        XCTAssertEqual(ImageQuality.ssim(a, b)[0], (2 * x * y + c1) / (x * x + y * y + c1), accuracy: 1e-6)
    }

    /// Reference value from scikit-image 0.26 `structural_similarity(gaussian_weights=True, sigma=1.5,
    /// use_sample_covariance=False, data_range=1, channel_axis=2)` and `peak_signal_noise_ratio` on
    /// the same float32 pattern.
    func testMatchesScikitImageOnAPattern() {
        let c = 3, h = 24, w = 20
        var a = [Float](), b = [Float]()
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    let v = Float(sin(0.37 * Double(y) + 0.23 * Double(x) + 1.1 * Double(ch))) * Float(0.8)
                    a.append(v)
                    b.append(v + Float(0.3) * Float(cos(0.91 * Double(y * x) + 0.5 * Double(ch))))
                }
            }
        }
        let ta = Tensor(shape: [1, c, h, w], values: a), tb = Tensor(shape: [1, c, h, w], values: b)
        XCTAssertEqual(ImageQuality.ssim(ta, tb)[0], 0.8173567331821934, accuracy: 1e-6)
        XCTAssertEqual(ImageQuality.psnr(ta, tb)[0], 19.628875535479494, accuracy: 1e-5)
    }
}
