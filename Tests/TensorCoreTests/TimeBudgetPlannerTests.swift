import TensorCore
import XCTest

final class TimeBudgetPlannerTests: XCTestCase {
    /// Steady steps: after calibration the plan is the steps that fit the budget.
    func testThePlanFillsTheBudget() {
        var planner = TimeBudgetPlanner(budgetSeconds: 100, calibrationSteps: 5)
        var plans: [Int?] = []
        // The first step is slow (allocations); the rest take 1 s each.
        var seconds = 10.0
        for step in 1...20 {
            if step > 1 { seconds += 1 }
            plans.append(planner.plan(step: step, trainedSeconds: seconds))
        }
        XCTAssertEqual(plans.prefix(5).compactMap { $0 }, [], "not before 5 steps are timed after the first")
        XCTAssertEqual(plans[5], 6 + 85, "85 s left at 1 s per step")
        XCTAssertEqual(plans[19], 20 + 71, "steady steps keep the plan")
    }

    /// Steps that get faster: the plan grows, so the schedule ends when the time does; slower,
    /// it shrinks. Spent, it is the next step.
    func testThePlanFollowsTheSpeed() {
        var planner = TimeBudgetPlanner(budgetSeconds: 60, calibrationSteps: 2, window: 4)
        var seconds = 0.0
        var step = 0
        func advance(_ count: Int, by perStep: Double) -> Int? {
            var plan: Int?
            for _ in 0..<count {
                step += 1
                seconds += perStep
                plan = planner.plan(step: step, trainedSeconds: seconds)
            }
            return plan
        }
        let slow = advance(10, by: 2)!
        XCTAssertEqual(slow, 10 + 20)
        let fast = advance(10, by: 1)!
        XCTAssertEqual(fast, 20 + 30, "30 s left at the recent 1 s per step")
        XCTAssertGreaterThan(fast, slow)
        XCTAssertEqual(advance(40, by: 1), 61, "spent: the schedule ends at the next step")
        XCTAssertTrue(planner.isSpent(trainedSeconds: seconds))
    }
}
