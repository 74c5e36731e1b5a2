import Foundation
import TensorCore
import XCTest

final class OptimScheduleTests: XCTestCase {
    func testConstant() {
        let schedule = LearningRateSchedule.constant(3e-4)
        for step in [-1, 0, 1, 1_000_000] { XCTAssertEqual(schedule(step), 3e-4) }
    }

    /// Warm-up over 4 steps: 1/4, 2/4, 3/4 and the full peak at step 3; the peak afterwards.
    func testLinearWarmupEdges() {
        let schedule = LearningRateSchedule.linearWarmup(peak: 0.8, warmupSteps: 4)
        XCTAssertEqual(schedule(0), 0.2, accuracy: 1e-15)
        XCTAssertEqual(schedule(1), 0.4, accuracy: 1e-15)
        XCTAssertEqual(schedule(3), 0.8, accuracy: 1e-15)
        XCTAssertEqual(schedule(4), 0.8)
        XCTAssertEqual(schedule(10_000), 0.8)
        XCTAssertEqual(schedule(-5), 0.2, accuracy: 1e-15, "negative steps count as step 0")
        XCTAssertEqual(LearningRateSchedule.linearWarmup(peak: 0.8, warmupSteps: 0)(0), 0.8)
    }

    /// Cosine from 1 to 0.1 over 100 steps: peak at 0, midpoint 0.55 at 50, floor at 100 and beyond.
    func testCosineDecayEdges() {
        let schedule = LearningRateSchedule.cosineDecay(peak: 1, floor: 0.1, totalSteps: 100)
        XCTAssertEqual(schedule(0), 1, accuracy: 1e-15)
        XCTAssertEqual(schedule(50), 0.55, accuracy: 1e-12)
        XCTAssertEqual(schedule(25), 0.1 + 0.9 * 0.5 * (1 + cos(Double.pi / 4)), accuracy: 1e-12)
        XCTAssertEqual(schedule(100), 0.1, accuracy: 1e-15)
        XCTAssertEqual(schedule(150), 0.1, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule.cosineDecay(peak: 1, floor: 0.1, totalSteps: 0)(0), 0.1)
    }

    func testWarmupThenCosineEdges() {
        let schedule = LearningRateSchedule.warmupCosine(peak: 2e-3, floor: 2e-5, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule(0), 2e-4, accuracy: 1e-15)
        XCTAssertEqual(schedule(9), 2e-3, accuracy: 1e-15, "last warm-up step reaches the peak")
        XCTAssertEqual(schedule(10), 2e-3, accuracy: 1e-15, "cosine starts at the peak")
        XCTAssertEqual(schedule(60), (2e-3 + 2e-5) / 2, accuracy: 1e-15)
        XCTAssertEqual(schedule(110), 2e-5, accuracy: 1e-15)
        XCTAssertEqual(schedule(1_000), 2e-5, accuracy: 1e-15)
        // Monotone after the warm-up.
        for step in 10..<110 { XCTAssertGreaterThanOrEqual(schedule(step), schedule(step + 1)) }
        // Degenerate: training no longer than the warm-up goes to the floor afterwards.
        let short = LearningRateSchedule.warmupCosine(peak: 1, floor: 0.5, warmupSteps: 5, totalSteps: 5)
        XCTAssertEqual(short(4), 1)
        XCTAssertEqual(short(5), 0.5)
    }

    func testCodableRoundTrip() throws {
        let schedules: [LearningRateSchedule] = [
            .constant(1e-4), .linearWarmup(peak: 3e-4, warmupSteps: 500),
            .cosineDecay(peak: 0.1, floor: 0, totalSteps: 7),
            .warmupCosine(peak: 3e-4, floor: 3e-6, warmupSteps: 1, totalSteps: 9),
        ]
        for schedule in schedules {
            let data = try JSONEncoder().encode(schedule)
            XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: data), schedule)
        }
    }
}
