import FileFormats
import Foundation
import Pipeline
import XCTest

/// Reruns as a user makes them (issue 18's scenarios), at tiny sizes: after each command,
/// what `status` says, and that no model, checkpoint or cache a user made disappears.
final class RunRerunScenarioTests: XCTestCase {
    static let configuration = """
        preset: quick
        run: tiny
        stages:
          prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
          train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
          train-flow: { steps: 6, base: 16, multipliers: [1, 2], batch-size: 16, checkpoint-every: 3, log-every: 3, warmup: 1 }
          generate: { count: 6, steps: 2 }
        """
    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTinyRunFolder(Self.configuration, prefix: "rerun")
    }

    @discardableResult
    func pipeline(_ arguments: [String], expect status: Int32? = 0) throws -> PipelineProcess.Outcome {
        let outcome = try PipelineProcess.run(arguments + ["--threads", "1"], in: folder)
        if let status { XCTAssertEqual(outcome.status, status, "\(arguments): \(outcome.stdout)\n\(outcome.stderr)") }
        return outcome
    }

    /// `status`'s state of each stage ("done", "stale: …").
    func states(_ arguments: [String] = []) throws -> [String: String] {
        let out = try pipeline(["status"] + arguments).stdout
        var states: [String: String] = [:]
        for line in out.split(separator: "\n").dropFirst() {
            let words = line.trimmingCharacters(in: .whitespaces)
            guard let space = words.firstIndex(of: " ") else { continue }
            states[String(words[..<space])] = words[space...].trimmingCharacters(in: .whitespaces)
        }
        return states
    }

    func sha(_ path: String, artifacts: String = "artifacts") throws -> String {
        try SHA256.hashFile(at: folder.appendingPathComponent("\(artifacts)/tiny/\(path)")).hex
    }

    var trainedFiles: [String] {
        [
            "autoencoder/model.safetensors", "autoencoder/checkpoint.safetensors", "flow/model.safetensors",
            "flow/checkpoint.safetensors", "dataset/images.h5", "latents/latents.h5",
        ]
    }

    func runOnce() throws -> [String: String] {
        try pipeline(["run", "--config", "tiny.yaml"])
        return Dictionary(uniqueKeysWithValues: try trainedFiles.map { ($0, try sha($0)) })
    }

    /// 1. A rerun that names no configuration continues with the run's saved one, and a moved
    ///    run folder stays done; a changed setting never deletes a trained model.
    func testAForgottenPresetAndAMovedRunFolderLoseNothing() throws {
        let made = try runOnce()
        let rerun = try pipeline(["run", "--run", "tiny"])
        XCTAssertTrue(rerun.stdout.contains("run-config.yaml (saved by the last run)"), rerun.stdout)
        XCTAssertFalse(rerun.stdout.contains("running"), rerun.stdout)

        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("artifacts"), to: folder.appendingPathComponent("moved"))
        XCTAssertEqual(
            Set(try states(["--run", "tiny", "--artifacts", "moved"]).filter { $0.value != "not enabled" }.values),
            ["done"])
        let changed = try pipeline(
            ["run", "--run", "tiny", "--artifacts", "moved", "--set", "train-ae.steps=5"], expect: nil)
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue(
            changed.stderr.contains("train-ae") && changed.stderr.contains("settings changed: steps: 4 → 5"),
            changed.stderr)
        for file in trainedFiles { XCTAssertEqual(try sha(file, artifacts: "moved"), made[file], file) }
        for file in trainedFiles { XCTAssertEqual(try sha(file), made[file], file) }

        // Another process holds the run: `run` takes the lock before it reads the ledger, so it
        // judges nothing from records that process may be rewriting.
        let holder = try RunLock.acquire(in: folder.appendingPathComponent("artifacts/tiny").path)
        let locked = try pipeline(["run", "--run", "tiny", "--set", "train-ae.steps=5"], expect: nil)
        holder.release()
        XCTAssertNotEqual(locked.status, 0)
        XCTAssertTrue(locked.stderr.contains("is in use by pid \(getpid())"), locked.stderr)
        XCTAssertFalse(locked.stderr.contains("settings changed"), "judged before the lock: \(locked.stderr)")
    }

    /// 2. Settings are compared as typed values with paths resolved.
    func testEqualValuesSpelledDifferentlyAreTheSameSettings() throws {
        _ = try runOnce()
        let states = try states([
            "--config", "tiny.yaml", "--set", "generate.guidance=1.0", "--set", "evaluate.seed=00",
            "--artifacts", "./artifacts",
        ])
        XCTAssertEqual(Set(states.filter { $0.value != "not enabled" }.values), ["done"], "\(states)")
        // How often files are written is no setting of a model: the trained stages stay done.
        let cadence = [
            "--config", "tiny.yaml", "--set", "train-flow.checkpoint-every=2", "--set", "train-flow.log-every=1",
            "--set", "train-ae.checkpoint-every=1", "--set", "train-ae.grid-every=1",
        ]
        let recadenced = try self.states(cadence)
        XCTAssertEqual(Set(recadenced.filter { $0.value != "not enabled" }.values), ["done"], "\(recadenced)")
        let rerun = try pipeline(["run"] + cadence)
        XCTAssertFalse(rerun.stdout.contains("running"), rerun.stdout)
        let changed = try self.states(["--config", "tiny.yaml", "--set", "generate.guidance=1.5"])
        XCTAssertEqual(changed["generate"], "stale: settings changed: guidance: 1 → 1.5")
    }

    /// 3, 5 and a stage command by hand: what a stage read is recorded on disk, so `status` is
    /// truthful across processes; a false flag is honoured; bad selections and keys are errors.
    func testStatusStaysTruthfulAcrossOnlyAndHandCommands() throws {
        _ = try runOnce()
        try pipeline(["run", "--config", "tiny.yaml", "--only", "train-flow", "--force", "--set", "train-flow.seed=1"])
        var states = try states(["--config", "tiny.yaml", "--set", "train-flow.seed=1"])
        XCTAssertEqual(states["train-flow"], "done")
        XCTAssertEqual(states["generate"], "stale: upstream train-flow's outputs changed since it read them")
        XCTAssertEqual(states["evaluate"], "stale: upstream generate is not done")
        try pipeline(["run", "--config", "tiny.yaml", "--set", "train-flow.seed=1"])

        // generate by hand with other settings: generate is no longer what run recorded, and
        // evaluate, which read the old samples, is stale.
        try pipeline(["generate", "--run", "tiny", "--count", "3", "--steps", "2"])
        states = try self.states(["--config", "tiny.yaml", "--set", "train-flow.seed=1"])
        XCTAssertTrue(states["generate"]!.hasPrefix("stale: damaged artifact:"), states["generate"]!)
        XCTAssertEqual(states["evaluate"], "stale: upstream generate is not done")

        // A false flag reaches the stage; its change is named.
        states = try self.states([
            "--config", "tiny.yaml", "--set", "train-flow.seed=1", "--set", "evaluate.floor=false",
        ])
        XCTAssertEqual(states["evaluate"], "stale: upstream generate is not done")
        try pipeline(["run", "--config", "tiny.yaml", "--set", "train-flow.seed=1", "--set", "evaluate.floor=false"])
        let metrics = try String(
            contentsOf: folder.appendingPathComponent("artifacts/tiny/reports/evaluate/metrics.json"), encoding: .utf8)
        XCTAssertFalse(metrics.contains("\"floor\""), "--no-floor reached evaluate")
        states = try self.states(["--config", "tiny.yaml", "--set", "train-flow.seed=1"])
        XCTAssertEqual(states["evaluate"], "stale: settings changed: measureFloor: false → true")

        let both = try pipeline(["run", "--only", "generate", "--from", "train-flow"], expect: nil)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--only and --from"), both.stderr)
        let reserved = try pipeline(["run", "--set", "train-flow.output=elsewhere"], expect: nil)
        XCTAssertTrue(reserved.stderr.contains("'output' is set by `pipeline run` itself"), reserved.stderr)
        let unknown = try pipeline(["run", "--set", "train-flow.stpes=3"], expect: nil)
        XCTAssertTrue(
            unknown.stderr.contains("unknown key 'stpes'") && unknown.stderr.contains("valid keys: "), unknown.stderr)
        let check = try pipeline(["status", "--check", "--config", "tiny.yaml"], expect: 1)
        XCTAssertTrue(
            check.stdout.range(of: "flow-latents +not enabled", options: .regularExpression) != nil,
            "the name column fits every stage: \(check.stdout)")
    }

    /// 6, a crash between two stages, and `--dry-run`/`--json`.
    func testACodeVersionACrashAndTheDryRun() throws {
        // A crash in generate (an unknown class) leaves the stages above done.
        let crashed = try pipeline(["run", "--config", "tiny.yaml", "--set", "generate.classes=tulip"], expect: nil)
        XCTAssertNotEqual(crashed.status, 0)
        var states = try states(["--config", "tiny.yaml"])
        XCTAssertEqual(states["train-flow"], "done")
        XCTAssertEqual(states["evaluate"], "missing")
        let plan = try pipeline(["run", "--config", "tiny.yaml", "--dry-run"])
        XCTAssertTrue(plan.stdout.contains("[train-flow] up to date, would reuse"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("[generate] would run"), plan.stdout)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("artifacts/tiny/reports").path),
            "a dry run changes nothing")
        let resumed = try pipeline(["run", "--config", "tiny.yaml"])
        XCTAssertTrue(resumed.stdout.contains("[train-flow] up to date"), resumed.stdout)

        // A stage recorded by an older version of its code is redone.
        let ledgerURL = folder.appendingPathComponent("artifacts/tiny/run-state.json")
        var ledger = try JSONSerialization.jsonObject(with: Data(contentsOf: ledgerURL)) as! [String: Any]
        var stages = ledger["stages"] as! [String: Any]
        var evaluate = stages["evaluate"] as! [String: Any]
        var record = evaluate["record"] as! [String: Any]
        record["codeVersion"] = 0
        evaluate["record"] = record
        stages["evaluate"] = evaluate
        ledger["stages"] = stages
        try JSONSerialization.data(withJSONObject: ledger).write(to: ledgerURL)
        states = try self.states(["--config", "tiny.yaml"])
        XCTAssertEqual(states["evaluate"], "stale: its code changed (version 0 → \(RunStage.evaluate.codeVersion))")
        let json = try pipeline(["status", "--config", "tiny.yaml", "--json"]).stdout
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let entries = document["stages"] as! [[String: Any]]
        XCTAssertEqual(entries.first { $0["stage"] as? String == "evaluate" }?["state"] as? String, "stale")
        try pipeline(["run", "--config", "tiny.yaml"])
        XCTAssertEqual(try self.states(["--config", "tiny.yaml"])["evaluate"], "done")
        let previous = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("artifacts/tiny/previous").path)
        XCTAssertTrue(previous.contains { $0.hasPrefix("reports-evaluate-") }, "the old report was kept: \(previous)")
    }
}
