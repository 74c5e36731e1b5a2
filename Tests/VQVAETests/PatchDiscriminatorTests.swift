import TensorCore
import VQVAE
import XCTest

/// The PatchGAN discriminator of the optional adversarial term, and the hinge losses.
final class PatchDiscriminatorTests: XCTestCase {
    func testOneLogitPerPatchAndParameterCount() {
        var generator = SeededGenerator(seed: 1)
        let d = PatchDiscriminator(PatchDiscriminatorConfig(base: 8, downsamplings: 3), generator: &generator)
        // 128 → 64 → 32 → 16 (stride 2), → 15 (4×4 stride 1), → 14 (the logit layer).
        let logits = withoutGradients { d(Variable(Tensor(zeros: [2, 3, 128, 128]))) }
        XCTAssertEqual(logits.shape, [2, 1, 14, 14])
        // conv 3→8, 8→16 + GN, 16→32 + GN, 32→64 + GN (stride 1), 64→1; 4×4 kernels with biases.
        let convolutions = [(3, 8), (8, 16), (16, 32), (32, 64), (64, 1)].reduce(0) { $0 + $1.1 * ($1.0 * 16 + 1) }
        let norms = 2 * (16 + 32 + 64)
        XCTAssertEqual(d.parameterCount, convolutions + norms)
    }

    func testHingeLossesOnKnownScores() {
        let real = Variable(Tensor(shape: [4], values: [2, 1, 0, -1]))
        let fake = Variable(Tensor(shape: [4], values: [-2, -1, 0, 1]))
        // relu(1 − real): 0, 0, 1, 2 → 0.75; relu(1 + fake): 0, 0, 1, 2 → 0.75.
        XCTAssertEqual(HingeLoss.discriminator(real: real, fake: fake).value.scalarValue, 1.5, accuracy: 1e-6)
        XCTAssertEqual(
            HingeLoss.discriminator(
                real: Variable(Tensor(shape: [2], values: [1, 3])),
                fake: Variable(Tensor(shape: [2], values: [-1, -5]))
            ).value.scalarValue, 0,
            "a discriminator past the margins stops pushing")
        XCTAssertEqual(HingeLoss.generator(fake: fake).value.scalarValue, 0.5, accuracy: 1e-6)
    }

    func testDiscriminatorLearnsToTellFlatFromNoisyPatches() {
        // Real: noise; fake: flat grey. A few AdamW steps on the hinge loss must separate them.
        var generator = SeededGenerator(seed: 2)
        let d = PatchDiscriminator(PatchDiscriminatorConfig(base: 8, downsamplings: 2), generator: &generator)
        let optimizer = AdamW(
            parameters: d.namedParameters(), learningRate: 2e-3, beta1: 0.5, beta2: 0.9, weightDecay: 0)
        let real = Initialization.uniform(shape: [4, 3, 32, 32], low: -1, high: 1, generator: &generator)
        let fake = Tensor(zeros: [4, 3, 32, 32])
        var losses: [Float] = []
        for _ in 0..<30 {
            optimizer.zeroGradients()
            let loss = HingeLoss.discriminator(real: d(Variable(real)), fake: d(Variable(fake)))
            loss.backward()
            optimizer.step()
            losses.append(loss.value.scalarValue)
        }
        XCTAssertEqual(losses[0], 2, accuracy: 0.5, "an untrained discriminator scores everything near 0")
        XCTAssertLessThan(losses.last!, 0.5 * losses[0], "\(losses)")
    }
}
