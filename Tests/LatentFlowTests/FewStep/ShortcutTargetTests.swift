import LatentFlow
import TensorCore
import XCTest

final class ShortcutTargetTests: XCTestCase {
    /// One step of 2d with the target velocity lands exactly where two half steps of the network
    /// land, the second from the midpoint at t + d; at the finest step the network is queried at
    /// d = 0 while the half step stays d.
    func testTheTargetIsTwoHalfStepsOfALinearNetwork() {
        let model = LinearVelocityModel()
        var generator = SeededGenerator(seed: 4)
        let x = Initialization.normal(shape: [3, 2, 2, 2], generator: &generator)
        let times: [Float] = [0, 0.25, 0.5], halves: [Float] = [0.5, 0.125, 1.0 / 128],
            queries: [Float] = [0.5, 0.125, 0]
        let target = ShortcutTarget.twoHalfSteps(
            model, x: x, times: times, classes: [0, 0, 1], halfSteps: halves, querySizes: queries)

        let per = 8
        for i in 0..<3 {
            let (t, d, q) = (times[i], halves[i], queries[i])
            for j in (i * per)..<((i + 1) * per) {
                let x0 = x.values[j]
                let x1 = x0 + d * (model.a(t, q) * x0 + model.b(t, q))
                let x2 = x1 + d * (model.a(t + d, q) * x1 + model.b(t + d, q))
                XCTAssertEqual(x0 + 2 * d * target.values[j], x2, accuracy: 1e-5, "sample \(i), element \(j)")
            }
        }
        // Not the network's own big step: the target says something the network does not yet.
        let own = model.velocity(x, times: times, classes: [0, 0, 1], stepSizes: halves.map { 2 * $0 })
        XCTAssertGreaterThan(own.maxAbsoluteDifference(target), 1e-3)
    }
}
