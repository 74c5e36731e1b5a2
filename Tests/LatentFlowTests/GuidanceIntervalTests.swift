import LatentFlow
import TensorCore
import XCTest

/// Guidance limited to an interval switches the field at the interval's ends; no solver step may
/// straddle a switch, and guided evaluations count two network passes.
final class GuidanceIntervalTests: XCTestCase {
    func testGridAlignsASwitchByMovingTheNearestTime() {
        let settings = SamplerSettings(method: .heun, steps: 20)
        let plain = settings.grid()
        XCTAssertEqual(settings.grid(through: [0.2]), plain, "a switch on the grid changes nothing")
        XCTAssertEqual(settings.grid(through: [0, 1]), plain, "the ends are no switches")
        let aligned = settings.grid(through: [0.23])
        XCTAssertEqual(aligned.count, plain.count, "aligned, not split: the cost stays as asked")
        XCTAssertEqual(aligned[5], 0.23, "0.25 moved onto the switch")
        XCTAssertEqual(Array(aligned[..<5]), Array(plain[..<5]))
        XCTAssertEqual(Array(aligned[6...]), Array(plain[6...]))
        // Within half a step of an end the straddling step is split instead.
        let split = settings.grid(through: [0.01])
        XCTAssertEqual(split.count, plain.count + 1)
        XCTAssertEqual(Array(split[..<3]), [0, 0.01, 0.05])
        // Two switches in one step: the first moves a time, the second splits.
        let both = settings.grid(through: [0.31, 0.32])
        XCTAssertEqual(both.count, plain.count + 1)
        XCTAssertTrue(both.contains(0.31) && both.contains(0.32))
        XCTAssertTrue(zip(both, both.dropFirst()).allSatisfy { $0 < $1 })
        XCTAssertEqual(SamplerSettings(method: .euler, steps: 1).grid(through: [0.4]), [0, 0.4, 1])
    }

    /// Every evaluation of one step is guided or none is, and each guided one costs two passes.
    func testNoStepMixesGuidedAndUnguidedEvaluations() throws {
        for method in [ODEMethod.euler, .midpoint, .heun, .rk4] {
            let model = ConstantPerClassModel()
            var field = GuidedVelocity(model: model, classes: [0, 3], scale: 2.5, interval: 0.5...1)
            var guidedPerCall: [Bool] = []
            let settings = SamplerSettings(method: method, steps: 3)
            let result = try ODEIntegrator.integrate(
                Tensor(zeros: [2, 1, 1, 1]), settings: settings,
                switchingAt: field.switchTimes
            ) { x, t, piece in
                let before = model.batchSizes.count
                let v = field(x, t, piece: piece)
                guidedPerCall.append(model.batchSizes[before...].reduce(0, +) == 4)
                return v
            }
            let perStep = method.evaluationsPerStep!
            XCTAssertEqual(result.acceptedSteps, 3, "\(method): the grid 0, 1/3, 2/3, 1 aligned to 0.5 keeps 3 steps")
            let steps = stride(from: 0, to: guidedPerCall.count, by: perStep).map {
                Array(guidedPerCall[$0..<($0 + perStep)])
            }
            XCTAssertEqual(steps.map { Set($0).count }, [1, 1, 1], "\(method): \(steps)")
            XCTAssertEqual(steps.map { $0[0] }, [false, true, true], "\(method): guided from t = 0.5 on")
            XCTAssertEqual(field.guidedEvaluations, 2 * perStep)
            XCTAssertEqual(field.passes, perStep + 2 * 2 * perStep, "\(method): a guided evaluation is two passes")
        }
    }

    /// Sampling with guidance from t = 0.5 is exactly: the conditional flow to 0.5, then the
    /// guided flow from there, each piece with its own steps. Before the fix, Heun's grid
    /// 0, 1/3, 2/3, 1 stepped across 0.5 with an unguided first and a guided second evaluation.
    func testSamplingWithAnIntervalIsTheFlowOfEachPiece() throws {
        var generator = SeededGenerator(seed: 3)
        let network = VelocityUNet(
            UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3), generator: &generator)
        let flow = FlowModel(
            network: network, statistics: .identity(channels: 2), path: .linear, sampleShape: [2, 8, 8])
        let noise = flow.noise(count: 3, seed: 1)
        let classes = [0, 1, 2]
        let settings = SamplerSettings(method: .heun, steps: 3)
        let sampled = try flow.sample(
            noise: noise, classes: classes, settings: settings, guidance: 3, guidanceInterval: 0.5...1)
        XCTAssertEqual(sampled.evaluations, 6)
        XCTAssertEqual(sampled.networkPasses, 2 + 2 * 4, "one unguided step, two guided ones")

        var conditional = GuidedVelocity(model: network, classes: classes, scale: 1)
        var guided = GuidedVelocity(model: network, classes: classes, scale: 3)
        let middle = try ODEIntegrator.integrate(
            noise, from: 0, to: 0.5, settings: SamplerSettings(method: .heun, steps: 1)
        ) {
            conditional($0, $1)
        }
        // The grid 0, 1/3, 2/3, 1 with 1/3 moved onto 0.5.
        let twoThirds = settings.grid()[2]
        let oneStep = SamplerSettings(method: .heun, steps: 1)
        let next = try ODEIntegrator.integrate(middle.state, from: 0.5, to: twoThirds, settings: oneStep) {
            guided($0, $1)
        }
        let end = try ODEIntegrator.integrate(next.state, from: twoThirds, to: 1, settings: oneStep) { guided($0, $1) }
        XCTAssertLessThan(sampled.samples.maxAbsoluteDifference(end.state), 1e-4)
    }
}
