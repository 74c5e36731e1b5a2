import Foundation
import Pipeline
import XCTest

/// How `status` and `run` judge a stage: against the settings it completed with, its code
/// version, the upstream outputs it read and its own outputs on disk.
final class RunAssessmentTests: XCTestCase {
    var run: URL!
    let config = RunConfig(preset: .quick)
    let settings = StageSettings(values: ["count": "1200", "seed": "0"])

    override func setUpWithError() throws {
        run = FileManager.default.temporaryDirectory.appendingPathComponent("assess-\(UUID().uuidString)")
        addTeardownBlock { [run] in try? FileManager.default.removeItem(at: run!) }
    }

    /// Writes a completed stage folder with one artifact and its ledger record.
    func complete(
        _ stage: RunStage, contents: String, in ledger: inout RunLedger, consumed: [String: String] = [:],
        settings: StageSettings? = nil, codeVersion: Int? = nil
    ) throws {
        let folder = run.appendingPathComponent(stage.folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: folder.appendingPathComponent(stage.artifactFiles?.first ?? "out.bin"))
        try Data("{\"status\": \"complete\"}".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let settings = settings ?? self.settings
        ledger[stage] = RunLedger.Entry(
            record: StageRecord(
                key: StageKey.of(stage, settings: settings, consumed: consumed), settings: settings,
                codeVersion: codeVersion ?? stage.codeVersion, consumed: consumed,
                outputs: try StageFolderDigest.measure(folder, only: stage.artifactFiles)))
    }

    func assess(_ ledger: RunLedger, settings: [RunStage: StageSettings] = [:]) -> [RunStage: StageAssessment] {
        var all = Dictionary(uniqueKeysWithValues: RunStage.allCases.map { ($0, self.settings) })
        all.merge(settings) { $1 }
        return RunAssessment.assess(config: config, runFolder: run, ledger: ledger, settings: all, cache: DigestCache())
    }

    func testDoneStaysDoneAndEachChangeSaysWhy() throws {
        var ledger = RunLedger()
        try complete(.prepare, contents: "images", in: &ledger)
        let prepared = ["prepare": ledger[.prepare]!.record!.outputs.combined]
        try complete(.trainAE, contents: "ae", in: &ledger, consumed: prepared)
        var states = assess(ledger)
        XCTAssertEqual(states[.prepare]?.state, .done)
        XCTAssertEqual(states[.trainAE]?.state, .done)
        XCTAssertEqual(states[.encode]?.state, .missing)
        XCTAssertTrue(states[.trainAE]!.holdsTraining)

        // Another setting: stale, with the old and new values.
        states = assess(ledger, settings: [.trainAE: StageSettings(values: ["count": "1200", "seed": "1"])])
        XCTAssertEqual(states[.trainAE]?.state, .stale("settings changed: seed: 0 → 1"))

        // The upstream outputs it read changed (prepare redone with other images): stale, across processes.
        try complete(.prepare, contents: "other images", in: &ledger)
        states = assess(ledger)
        XCTAssertEqual(states[.prepare]?.state, .done)
        XCTAssertEqual(states[.trainAE]?.state, .stale("upstream prepare's outputs changed since it read them"))

        // Its own artifact edited after it completed.
        try complete(
            .trainAE, contents: "ae", in: &ledger, consumed: ["prepare": ledger[.prepare]!.record!.outputs.combined])
        try Data("ae, edited".utf8).write(to: run.appendingPathComponent("autoencoder/model.safetensors"))
        XCTAssertEqual(
            assess(ledger)[.trainAE]?.state,
            .stale("damaged artifact: model.safetensors has 10 bytes, 2 when it was made"))

        // A new code version of the stage.
        try complete(
            .trainAE, contents: "ae", in: &ledger, consumed: ["prepare": ledger[.prepare]!.record!.outputs.combined],
            codeVersion: RunStage.trainAE.codeVersion - 1)
        XCTAssertEqual(
            assess(ledger)[.trainAE]?.state,
            .stale("its code changed (version \(RunStage.trainAE.codeVersion - 1) → \(RunStage.trainAE.codeVersion))"))
    }

    func testUnfinishedUnrecordedAndOldLedgers() throws {
        var ledger = RunLedger()
        try complete(.prepare, contents: "images", in: &ledger)
        let folder = run.appendingPathComponent("autoencoder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("state".utf8).write(to: folder.appendingPathComponent("checkpoint.safetensors"))
        // Unfinished and started by an earlier configuration: not resumable.
        XCTAssertEqual(assess(ledger)[.trainAE]?.state, .stale("left unfinished by an earlier run"))
        XCTAssertFalse(assess(ledger)[.trainAE]!.resumable)
        // Started with the current key: interrupted, resumable from its checkpoint.
        ledger[.trainAE] = RunLedger.Entry(startedKey: assess(ledger)[.trainAE]!.key)
        XCTAssertEqual(assess(ledger)[.trainAE]?.state, .interrupted)
        XCTAssertTrue(assess(ledger)[.trainAE]!.resumable)

        try Data("{\"status\": \"complete\"}".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        ledger[.trainAE] = nil
        XCTAssertEqual(
            assess(ledger)[.trainAE]?.state, .stale("made outside `pipeline run` (no record of its settings)"))
        let old = try JSONDecoder().decode(
            RunLedger.Entry.self, from: Data("{\"started\": \"abc\", \"completed\": \"abc\"}".utf8))
        ledger[.trainAE] = old
        XCTAssertEqual(
            assess(ledger)[.trainAE]?.state,
            .stale("recorded by pipeline 0.1, whose ledger kept no record of its settings"))
    }

    /// A training stage interrupted under a ledger of the version whose key still held the
    /// cadence settings resumes: its started key is recognised in that form too.
    func testAStageStartedWithTheKeyOfAnEarlierVersionStillResumes() throws {
        var ledger = RunLedger()
        try complete(.prepare, contents: "images", in: &ledger)
        let settings = StageSettings(values: ["count": "1200", "seed": "0", "checkpointEvery": "250"])
        let folder = run.appendingPathComponent("autoencoder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("state".utf8).write(to: folder.appendingPathComponent("checkpoint.safetensors"))
        let consumed = ["prepare": ledger[.prepare]!.record!.outputs.combined]
        ledger[.trainAE] = RunLedger.Entry(
            startedKey: StageKey.withCadence(.trainAE, settings: settings, consumed: consumed))
        XCTAssertNotEqual(ledger[.trainAE]?.startedKey, StageKey.of(.trainAE, settings: settings, consumed: consumed))
        let state = assess(ledger, settings: [.trainAE: settings])[.trainAE]!
        XCTAssertEqual(state.state, .interrupted)
        XCTAssertTrue(state.resumable)
    }

    /// A stage whose folder another process holds is shown running, with that process.
    func testAStageHeldByAProcessIsRunning() throws {
        let folder = run.appendingPathComponent("flow")
        let lock = try RunLock.acquire(in: folder.path)
        defer { lock.release() }
        XCTAssertEqual(assess(RunLedger())[.trainFlow]?.state, .running(pid: getpid()))
    }
}

extension RunAssessmentTests {
    /// A run folder of pipeline 0.1: entries whose fingerprint and artifacts still match are
    /// adopted and done; a changed setting or artifact is not adopted and stays stale.
    func testPipeline01RecordsThatStillMatchAreAdopted() throws {
        let fingerprints = LegacyLedger.fingerprints(config)
        var ledger = RunLedger()
        for stage in [RunStage.prepare, .trainAE] {
            try complete(stage, contents: stage.rawValue, in: &ledger)
            let outputs = ledger[stage]!.record!.outputs
            let old =
                "{\"started\": \"\(fingerprints[stage]!)\", \"completed\": \"\(fingerprints[stage]!)\", "
                + "\"outputs\": \(String(decoding: try JSONEncoder().encode(outputs), as: UTF8.self))}"
            ledger[stage] = try JSONDecoder().decode(RunLedger.Entry.self, from: Data(old.utf8))
        }
        var changed = config
        changed.stages[.trainAE]?["minutes"] = .value("5")
        var other = ledger
        XCTAssertEqual(
            LegacyLedger.adopt(&other, config: changed, runFolder: run, settings: [:], cache: DigestCache()), [],
            "no settings, nothing adopted")
        let settings = Dictionary(uniqueKeysWithValues: RunStage.allCases.map { ($0, self.settings) })
        other = ledger
        XCTAssertEqual(
            LegacyLedger.adopt(&other, config: changed, runFolder: run, settings: settings, cache: DigestCache()),
            [.prepare], "train-ae was made with other settings")
        try Data("edited".utf8).write(to: run.appendingPathComponent("dataset/images.h5"))
        other = ledger
        XCTAssertEqual(
            LegacyLedger.adopt(&other, config: config, runFolder: run, settings: settings, cache: DigestCache()), [])
        try Data("prepare".utf8).write(to: run.appendingPathComponent("dataset/images.h5"))
        XCTAssertEqual(
            LegacyLedger.adopt(&ledger, config: config, runFolder: run, settings: settings, cache: DigestCache()),
            [.prepare, .trainAE])
        // Made by 0.1's code: done where the stage's code is unchanged since, stale where it moved on.
        let states = RunAssessment.assess(
            config: config, runFolder: run, ledger: ledger, settings: settings, cache: DigestCache())
        XCTAssertEqual(states[.prepare]?.state, .done)
        XCTAssertEqual(
            states[.trainAE]?.state, .stale("its code changed (version 1 → \(RunStage.trainAE.codeVersion))"))
    }
}
