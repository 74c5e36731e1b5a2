import Foundation
import LatentFlow
import TensorCore
import XCTest

final class FewStepSamplerTests: XCTestCase {
    /// The teacher dx/dt = rate·x, integrated finely, ends at e^rate·x; a student that learned
    /// the flow's jumps exactly lands there in 1, 2 or 4 steps. A model without the step-size
    /// input (Euler on the curved flow) does not, which is why the test can fail.
    func testAPerfectStudentLandsOnTheTeachersEndpoint() throws {
        let rate: Float = -0.9
        var generator = SeededGenerator(seed: 1)
        let noise = Initialization.normal(shape: [4, 1, 2, 2], generator: &generator)
        let teacher = try ODEIntegrator.integrate(noise, settings: SamplerSettings(method: .rk4, steps: 200)) { x, _ in
            x.scaled(rate)
        }.state
        let classes = [0, 1, 0, 1]
        for steps in [1, 2, 4] {
            let student = FewStepSampler.integrate(
                ExactShortcutOfLinearFlow(rate: rate), noise: noise, classes: classes, steps: steps)
            XCTAssertLessThan(student.maxAbsoluteDifference(teacher), 1e-4, "\(steps) steps")
        }
        let euler = FewStepSampler.integrate(
            ExactShortcutOfLinearFlow(rate: rate, ignoresStepSize: true), noise: noise,
            classes: classes, steps: 1)
        XCTAssertGreaterThan(euler.maxAbsoluteDifference(teacher), 0.05)
    }

    /// Batches split into chunks give the same samples.
    func testChunkingDoesNotChangeTheSamples() {
        var generator = SeededGenerator(seed: 3)
        let noise = Initialization.normal(shape: [5, 1, 2, 2], generator: &generator)
        let model = LinearVelocityModel()
        let whole = FewStepSampler.integrate(model, noise: noise, classes: [0, 1, 0, 1, 0], steps: 2)
        let chunked = FewStepSampler.integrate(
            model, noise: noise, classes: [0, 1, 0, 1, 0], steps: 2, maximumBatch: 2)
        XCTAssertEqual(whole.values, chunked.values)
    }
}
