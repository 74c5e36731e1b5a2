import FileFormats
import Foundation
import Pipeline
import XCTest

/// What `pipeline run` records after a stage returns: a complete manifest is recorded even when
/// a stop was asked for (it came after the stage's last poll), and only a complete one is.
final class StageCompletionTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!
    let run = "completion"
    var runFolder: URL { scratch.appendingPathComponent("artifacts/completion") }

    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("completion-\(UUID().uuidString)")
        try fixture.seedRun(runFolder)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func options(steps: Int) -> TrainFlowStage.Options {
        var options = fixture.trainOptions(
            output: runFolder.appendingPathComponent(RunStage.trainFlow.folder), steps: steps)
        options.run = run
        options.artifacts = scratch.appendingPathComponent("artifacts").path
        return options
    }

    /// The ledger as `run` keeps it when train-flow starts: encode done and recorded.
    func ledgerWithEncodeDone() throws -> (ledger: RunLedger, upstream: [RunStage: StageAssessment]) {
        var ledger = RunLedger()
        let settings = StageSettings(values: [:])
        let key = StageKey.of(.encode, settings: settings, consumed: [:])
        XCTAssertEqual(
            try StageCompletion.finish(
                .encode, in: &ledger, runFolder: runFolder, key: key, settings: settings, consumed: [:],
                stopRequested: false, cache: DigestCache()), .recorded)
        let encode = StageAssessment(
            stage: .encode, state: .done, settings: settings, consumed: [:], key: key, resumable: false,
            holdsTraining: false)
        return (ledger, [.encode: encode])
    }

    func judge(_ ledger: RunLedger, _ settings: StageSettings, upstream: [RunStage: StageAssessment])
        -> StageAssessment
    {
        StageAssessment.judge(
            .trainFlow, config: RunConfig(preset: .quick), runFolder: runFolder, ledger: ledger, settings: settings,
            upstream: upstream, cache: DigestCache())
    }

    func testAStopDuringTheFinalExportLeavesADoneStageTheNextRunReuses() throws {
        var (ledger, upstream) = try ledgerWithEncodeDone()
        let options = options(steps: 3)
        let settings = try StageSettings(options, runFolder: runFolder, base: scratch)
        let consumed = ["encode": ledger[.encode]!.record!.outputs.combined]
        let key = StageKey.of(.trainFlow, settings: settings, consumed: consumed)
        ledger[.trainFlow] = RunLedger.Entry(startedKey: key)

        // Ctrl-C while the model is exported: after the training loop's last poll of the flag.
        let stop = StopFlag()
        let result = try TrainFlowStage.run(
            options, write: { if $0.hasPrefix("model: ") { stop.raise() } }, shouldStop: { stop.raised })
        XCTAssertTrue(stop.raised)
        XCTAssertEqual(result.end, .stepBudget, "the stop came after the loop: training ended on its budget")

        let outcome = try StageCompletion.finish(
            .trainFlow, in: &ledger, runFolder: runFolder, key: key, settings: settings, consumed: consumed,
            stopRequested: stop.raised, cache: DigestCache())
        XCTAssertEqual(outcome, .recordedThenStopped)
        let assessment = judge(ledger, settings, upstream: upstream)
        XCTAssertEqual(assessment.state, .done, "status says done")
        XCTAssertEqual(
            RunPlan.action(for: assessment, selected: true, requested: false, upstreamRunning: nil, force: false),
            .reuse, "the next run reuses it, no --force")
    }

    func testAStageStoppedBeforeItsManifestIsNotRecordedAndResumes() throws {
        var (ledger, upstream) = try ledgerWithEncodeDone()
        let options = options(steps: 6)
        let settings = try StageSettings(options, runFolder: runFolder, base: scratch)
        let consumed = ["encode": ledger[.encode]!.record!.outputs.combined]
        let key = StageKey.of(.trainFlow, settings: settings, consumed: consumed)
        ledger[.trainFlow] = RunLedger.Entry(startedKey: key)

        // Ctrl-C after the checkpoint at step 3 (the fixture checkpoints every 3 steps).
        let stop = StopFlag()
        let result = try TrainFlowStage.run(
            options, write: { if $0.contains("checkpoint at step 3") { stop.raise() } }, shouldStop: { stop.raised })
        XCTAssertEqual(result.end, .stopped)
        XCTAssertEqual(
            try StageCompletion.finish(
                .trainFlow, in: &ledger, runFolder: runFolder, key: key, settings: settings, consumed: consumed,
                stopRequested: true, cache: DigestCache()), .stopped)
        XCTAssertNil(ledger[.trainFlow]?.record)
        let assessment = judge(ledger, settings, upstream: upstream)
        XCTAssertEqual(assessment.state, .interrupted)
        XCTAssertTrue(assessment.resumable)

        // Without a stop, a stage that returns incomplete has failed: an error, nothing recorded.
        XCTAssertThrowsError(
            try StageCompletion.finish(
                .trainFlow, in: &ledger, runFolder: runFolder, key: key, settings: settings, consumed: consumed,
                stopRequested: false, cache: DigestCache())
        ) { XCTAssertTrue("\($0)".contains("ended without a complete manifest"), "\($0)") }
        XCTAssertNil(ledger[.trainFlow]?.record)
    }
}

/// A stop request raised from a stage's output callback and polled by its loop.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func raise() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var raised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
