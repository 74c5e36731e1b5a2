import TensorCore
import VQVAE
import XCTest

final class AutoencoderLossTests: XCTestCase {
    func testFiniteDifferencesValuesAndGradient() {
        let x = Tensor(shape: [1, 1, 2, 3], values: [1, 2, 4, 0, 5, 5])
        XCTAssertEqual(finiteDifferences(Variable(x), along: .horizontal).value.values, [1, 2, 5, 0])
        XCTAssertEqual(finiteDifferences(Variable(x), along: .vertical).value.values, [-1, 3, 1])
        var generator = SeededGenerator(seed: 1)
        let input = Initialization.normal(shape: [2, 3, 5, 6], generator: &generator)
        for axis in [DifferenceAxis.horizontal, .vertical] {
            let check = GradientCheck.run(inputs: [input]) { finiteDifferences($0[0], along: axis) }
            XCTAssertLessThan(check.worst, 1e-2, "\(check)")
        }
    }

    func testGradientLossIsZeroForIdenticalImagesAndPenalisesBlur() {
        var generator = SeededGenerator(seed: 2)
        let sharp = Initialization.uniform(shape: [1, 3, 16, 16], low: -1, high: 1, generator: &generator)
        XCTAssertEqual(AutoencoderLoss.gradientLoss(Variable(sharp), target: sharp, scales: 3).value.scalarValue, 0)
        // A flat image with the same mean: its pixel L1 to the target is small next to its gradient L1.
        let blurred = upsampleNearest2x(averagePool2x(Variable(sharp)))
        XCTAssertGreaterThan(AutoencoderLoss.gradientLoss(blurred, target: sharp, scales: 3).value.scalarValue, 0.1)
    }

    func testTermsAreWeightedAndSummed() {
        var generator = SeededGenerator(seed: 3)
        let target = Initialization.uniform(shape: [2, 3, 8, 8], low: -1, high: 1, generator: &generator)
        let reconstruction = Variable(
            parameter: Initialization.uniform(shape: [2, 3, 8, 8], low: -1, high: 1, generator: &generator))
        let commitment = Variable(Tensor(scalar: 0.25))
        let config = AutoencoderLossConfig(l1Weight: 1, mseWeight: 0.5, gradientWeight: 0.1, gradientScales: 2)
        let terms = AutoencoderLoss.compute(
            reconstruction: reconstruction, target: target, commitment: commitment, config: config)
        XCTAssertEqual(terms.parts.map(\.name), ["l1", "mse", "gradient", "commitment"])
        let l1 = Double(l1Loss(reconstruction, Variable(target)).value.scalarValue)
        let mse = Double(mseLoss(reconstruction, Variable(target)).value.scalarValue)
        XCTAssertEqual(terms.parts[0].value, l1, accuracy: 1e-6)
        XCTAssertEqual(terms.parts[1].value, 0.5 * mse, accuracy: 1e-6)
        XCTAssertEqual(Double(terms.total.value.scalarValue), terms.parts.map(\.value).reduce(0, +), accuracy: 1e-5)
        terms.total.backward()
        XCTAssertNotNil(reconstruction.grad)
    }
}
