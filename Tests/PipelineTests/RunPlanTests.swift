import Pipeline
import XCTest

/// What `pipeline run` does with a stage, from its assessment.
final class RunPlanTests: XCTestCase {
    func assessment(_ state: RunStageState, holdsTraining: Bool = false, resumable: Bool = false) -> StageAssessment {
        StageAssessment(
            stage: .trainFlow, state: state, settings: StageSettings(values: [:]), consumed: [:], key: "k",
            resumable: resumable, holdsTraining: holdsTraining)
    }

    func action(
        _ a: StageAssessment, selected: Bool = true, requested: Bool = false, upstream: RunStage? = nil,
        force: Bool = false
    ) -> StageAction {
        RunPlan.action(for: a, selected: selected, requested: requested, upstreamRunning: upstream, force: force)
    }

    func testTrainedOutputsAreNeverReplacedWithoutForce() {
        let stale = assessment(.stale("settings changed: steps: 20 → 25"), holdsTraining: true)
        XCTAssertEqual(action(stale), .needsForce("stale: settings changed: steps: 20 → 25"))
        XCTAssertEqual(action(stale, force: true), .run("stale: settings changed: steps: 20 → 25"))
        let done = assessment(.done, holdsTraining: true)
        XCTAssertEqual(action(done), .reuse)
        XCTAssertEqual(action(done, requested: true), .needsForce("requested"))
        XCTAssertEqual(action(done, upstream: .encode), .needsForce("upstream encode runs first"))
        // An interrupted run with the current key continues; nothing is replaced.
        XCTAssertEqual(action(assessment(.interrupted, holdsTraining: true, resumable: true)), .resume)
        // Without trained outputs there is nothing to lose.
        XCTAssertEqual(action(assessment(.missing)), .run("missing"))
    }

    func testSelectionAndOptionalStages() {
        XCTAssertEqual(action(assessment(.notEnabled)), .notEnabled)
        XCTAssertEqual(action(assessment(.missing), selected: false), .notSelected)
        XCTAssertEqual(action(assessment(.running(pid: 42))), .busy("running (pid 42)"))
        XCTAssertTrue(RunPlan.selection(of: .generate, only: nil, from: .trainFlow) == (true, true))
        XCTAssertTrue(RunPlan.selection(of: .encode, only: nil, from: .trainFlow) == (false, false))
        XCTAssertTrue(RunPlan.selection(of: .encode, only: .encode, from: nil) == (true, true))
        XCTAssertTrue(RunPlan.selection(of: .encode, only: nil, from: nil) == (true, false))
    }

    /// The plan carries a redo down to the stages that read it, so a stage below a retrained
    /// model is reported before anything runs.
    func testARedoReachesTheStagesBelow() {
        var all: [RunStage: StageAssessment] = [:]
        for stage in RunStage.allCases {
            var a = assessment(
                RunConfig(preset: .quick).isEnabled(stage) ? .done : .notEnabled, holdsTraining: stage.resumable)
            a.stage = stage
            all[stage] = a
        }
        all[.encode]!.state = .stale("settings changed: seed: 0 → 1")
        var plan = Dictionary(
            uniqueKeysWithValues: RunPlan.make(all, only: nil, from: nil, force: false).map { ($0.stage, $0.action) })
        XCTAssertEqual(plan[.prepare], .reuse)
        XCTAssertEqual(plan[.trainAE], .reuse)
        XCTAssertEqual(plan[.encode], .run("stale: settings changed: seed: 0 → 1"))
        XCTAssertEqual(plan[.trainFlow], .needsForce("upstream encode runs first"))
        XCTAssertEqual(plan[.generate], .run("upstream train-flow runs first"))
        XCTAssertEqual(plan[.compare], .notEnabled)

        // A damaged artifact is rebuilt to the same bytes: the stages below are not planned to run.
        all[.encode]!.state = .stale("damaged artifact: latents.h5 is missing")
        plan = Dictionary(
            uniqueKeysWithValues: RunPlan.make(all, only: nil, from: nil, force: false).map { ($0.stage, $0.action) })
        XCTAssertEqual(plan[.encode], .run("stale: damaged artifact: latents.h5 is missing"))
        XCTAssertEqual(plan[.trainFlow], .reuse)
    }
}
