import LatentFlow
import TensorCore
import XCTest

final class SamplerTests: XCTestCase {
    let problem = GaussianToyProblem(shape: [4, 2, 4, 4], seed: 7)

    /// Halving the step size divides the endpoint error by about 2^order.
    func testFixedStepMethodsConvergeAtTheirOrder() throws {
        let noise = problem.noise(seed: 1)
        // Step counts where the error is in its asymptotic regime yet far above Float32 rounding
        // (which stops RK4 near 5e-6).
        let cases: [(ODEMethod, Int, Double)] = [(.euler, 32, 1), (.midpoint, 32, 2), (.heun, 16, 2), (.rk4, 4, 4)]
        for (method, steps, order) in cases {
            let coarse = try problem.error(of: SamplerSettings(method: method, steps: steps), noise: noise)
            let fine = try problem.error(of: SamplerSettings(method: method, steps: 2 * steps), noise: noise)
            let finer = try problem.error(of: SamplerSettings(method: method, steps: 4 * steps), noise: noise)
            let observed1 = log2(coarse.error / fine.error), observed2 = log2(fine.error / finer.error)
            let context =
                "\(method): errors \(coarse.error), \(fine.error), \(finer.error) give orders \(observed1), \(observed2)"
            // At its order, give or take the pre-asymptotic terms (which make RK4 look a little better).
            for observed in [observed1, observed2] {
                XCTAssertGreaterThan(observed, order - 0.3, context)
                XCTAssertLessThan(observed, order + 0.7, context)
            }
            XCTAssertEqual(coarse.result.evaluations, steps * method.evaluationsPerStep!, "\(method) NFE")
            XCTAssertEqual(finer.result.evaluations, 4 * steps * method.evaluationsPerStep!, "\(method) NFE")
        }
    }

    /// The adaptive method meets its tolerance, and a tighter tolerance costs more evaluations
    /// and gives a smaller error.
    func testDormandPrinceMeetsItsTolerance() throws {
        let noise = problem.noise(seed: 2)
        var previous: (error: Double, evaluations: Int)?
        for tolerance in [1e-3, 1e-4, 1e-5] {
            let settings = SamplerSettings(method: .dopri5, relativeTolerance: tolerance, absoluteTolerance: tolerance)
            let (error, relative, result) = try problem.error(of: settings, noise: noise)
            // Local error control keeps every element's global error within a small multiple of
            // its tolerance atol + rtol·|x|.
            // (Measured: 5.9, 1.8 and 0.6 times the tolerance, with 20, 32 and 50 evaluations.)
            XCTAssertLessThan(relative, 10, "rtol = atol = \(tolerance): error \(error)")
            XCTAssertEqual(
                result.evaluations, 2 + 6 * (result.acceptedSteps + result.rejectedSteps),
                "1 initial + 1 step-size probe + 6 per attempted step (FSAL)")
            if let previous {
                XCTAssertLessThan(error, previous.error)
                XCTAssertGreaterThan(result.evaluations, previous.evaluations)
            }
            previous = (error, result.evaluations)
        }
    }

    /// The same on the linear path, whose velocity is nearly constant along each trajectory.
    func testDormandPrinceOnTheLinearPath() throws {
        let linear = GaussianToyProblem(shape: [4, 2, 4, 4], path: .linear, seed: 8)
        let settings = SamplerSettings(method: .dopri5, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
        let (_, relative, result) = try linear.error(of: settings, noise: linear.noise(seed: 4))
        XCTAssertLessThan(relative, 10)
        XCTAssertGreaterThan(result.acceptedSteps, 1)
    }

    /// A last step shortened to land on t1 may be far below the step floor; reaching t1 with it
    /// is success, not stiffness. Here the whole span is one ulp below 1 (6e-8): the step taken
    /// is that ulp, its error estimate (the field switches on at t = 1, as a guidance interval
    /// does) asks for a next step of about 7.6e-8, and the solver used to throw on that request
    /// after it had already reached t = 1.
    func testDormandPrinceEndsOnAShortLastStep() throws {
        let start = Float(1).nextDown
        let settings = SamplerSettings(method: .dopri5, relativeTolerance: 1e-9, absoluteTolerance: 1e-9)
        let result = try ODEIntegrator.integrate(Tensor(zeros: [1, 1, 1, 1]), from: start, to: 1, settings: settings) {
            x, t in
            Tensor(shape: x.shape, repeating: t >= 1 ? 1 : 0)
        }
        XCTAssertEqual(result.acceptedSteps, 1)
        XCTAssertEqual(result.rejectedSteps, 0)
        XCTAssertEqual(
            result.state.values[0], 0.4596 * (1 - start), accuracy: 1e-10, "x + h·(125/192 − 2187/6784 + 11/84)")
    }

    func testShiftedGridKeepsItsEndsAndCrowdsNearNoise() throws {
        let grid = SamplerSettings(method: .euler, steps: 10, shift: 3).grid()
        XCTAssertEqual(grid.first, 0)
        XCTAssertEqual(grid.last, 1)
        XCTAssertTrue(zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 })
        XCTAssertLessThan(grid[1] - grid[0], grid[10] - grid[9])
        XCTAssertEqual(grid[5], 0.25, accuracy: 1e-6, "t = 1/2 goes to 1/(s+1)")
        XCTAssertEqual(SamplerSettings(steps: 4).grid(), [0, 0.25, 0.5, 0.75, 1])
        // A shifted grid still converges to the exact endpoint.
        let noise = problem.noise(seed: 3)
        let shifted = try problem.error(of: SamplerSettings(method: .rk4, steps: 16, shift: 2), noise: noise)
        XCTAssertLessThan(shifted.error, 1e-3)
    }

    func testInvalidSettingsThrow() {
        let x = Tensor(zeros: [1, 1, 2, 2])
        XCTAssertThrowsError(
            try ODEIntegrator.integrate(x, settings: SamplerSettings(method: .heun, steps: 0)) { v, _ in v })
        XCTAssertThrowsError(try ODEIntegrator.integrate(x, settings: SamplerSettings(shift: 0)) { v, _ in v })
        XCTAssertThrowsError(
            try ODEIntegrator.integrate(x, settings: SamplerSettings(method: .dopri5, relativeTolerance: 0)) { v, _ in v
            })
        // A field that blows up stops the adaptive solver with an error instead of looping.
        XCTAssertThrowsError(
            try ODEIntegrator.integrate(
                Tensor(shape: [1, 1, 1, 1], repeating: 1),
                settings: SamplerSettings(method: .dopri5, maximumSteps: 50)
            ) { v, _ in
                v.map { $0 * $0 * 1e6 }
            })
    }
}
