import FileFormats
import Foundation
import LatentFlow
import Pipeline
import XCTest

/// `pipeline compare --variants` on the flow fixture's data: every variant trained with its one
/// option flipped, the table, the spread over seeds, reuse on a rerun, and input validation.
final class AblationStageTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!
    let run = "abl"
    var artifacts: String { scratch.appendingPathComponent("artifacts").path }
    var runFolder: URL { scratch.appendingPathComponent("artifacts/abl") }

    /// A run folder of its own holding copies of the fixture's dataset, autoencoder and latents.
    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("ablations-\(UUID().uuidString)")
        try fixture.seedRun(runFolder)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func options(variants: [AblationVariant], seeds: Int) -> AblationStage.Options {
        var compare = CompareStage.Options()
        compare.run = run
        compare.artifacts = artifacts
        compare.steps = 2
        compare.count = 4
        compare.sampler = SamplerSettings(method: .euler, steps: 2)
        var training = fixture.trainOptions(output: runFolder.appendingPathComponent("unused"), steps: 2)
        training.logEvery = 1
        compare.latentTraining = training
        var options = AblationStage.Options()
        options.compare = compare
        options.variants = variants
        options.seeds = seeds
        return options
    }

    func trainedConfig(_ variant: AblationVariant, seed: Int) throws -> TrainFlowStage.ManifestConfig {
        let folder = runFolder.appendingPathComponent("ablations/\(variant.rawValue)/seed-\(seed)/flow")
        return try StageManifest<TrainFlowStage.ManifestConfig>.read(from: folder).config
    }

    func testEveryVariantFlipsItsOptionAndARerunReusesEverything() throws {
        let all: [AblationVariant] = [.cosinePath, .uniformTime, .optimalTransport, .noEMA]
        let result = try AblationStage.run(
            options(variants: all, seeds: 1), style: .log(everySeconds: 1000, everyPercent: 100),
            write: { _ in })
        let report = result.report
        XCTAssertEqual(report.rows.map(\.variant), [.baseline] + all, "one row per variant, baseline first")
        for row in report.rows {
            XCTAssertEqual(row.seeds.count, 1)
            XCTAssertEqual(
                row.seeds[0].actions, ["model": "trained", "samples": "generated", "evaluation": "computed"],
                row.variant.rawValue)
            XCTAssertEqual(row.seeds[0].trainingSteps, 2)
            XCTAssertTrue(row.swdMean.mean.isFinite && row.swdMean.mean > 0, row.variant.rawValue)
            XCTAssertNil(row.swdMean.spread, "one seed: no spread")
            XCTAssertEqual(row.swdPerLevel.count, report.swdResolutions.count)
            XCTAssertEqual(row.swdMeanDifference == nil, row.variant == .baseline)
        }
        let cosine = report.rows[1]
        XCTAssertEqual(
            cosine.swdMeanDifference!.mean, cosine.seeds[0].swdMean - report.rows[0].seeds[0].swdMean, accuracy: 1e-12)

        // The trained configurations, as their manifests record them.
        let baseline = try trainedConfig(.baseline, seed: 0).training
        XCTAssertEqual(baseline.path, .linear)
        XCTAssertEqual(baseline.timeSampling, .logitNormal)
        XCTAssertFalse(baseline.optimalTransport)
        XCTAssertNotNil(baseline.emaDecay)
        XCTAssertEqual(try trainedConfig(.cosinePath, seed: 0).training.path, .cosine)
        XCTAssertEqual(try trainedConfig(.uniformTime, seed: 0).training.timeSampling, .uniform)
        XCTAssertTrue(try trainedConfig(.optimalTransport, seed: 0).training.optimalTransport)
        XCTAssertNil(try trainedConfig(.noEMA, seed: 0).training.emaDecay)
        for variant in all {
            var flippedBack = try trainedConfig(variant, seed: 0).training
            flippedBack.path = baseline.path
            flippedBack.timeSampling = baseline.timeSampling
            flippedBack.optimalTransport = baseline.optimalTransport
            flippedBack.emaDecay = baseline.emaDecay
            XCTAssertEqual(
                flippedBack, baseline, "\(variant.rawValue) differs from the baseline in its own option only")
        }

        // The report files, manifest last.
        let folder = runFolder.appendingPathComponent("reports/ablations")
        XCTAssertEqual(
            result.files.map(\.lastPathComponent), ["report.md", "report.html", "report.json", "manifest.json"])
        XCTAssertEqual(try AblationReport.read(from: folder.appendingPathComponent("report.json")), report)
        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        for variant in [AblationVariant.baseline] + all {
            XCTAssertTrue(markdown.contains("| \(variant.rawValue) |"), variant.rawValue)
        }
        XCTAssertTrue(markdown.contains("n/a"), "one seed: the spread is n/a")
        XCTAssertNotNil(StageManifest<AblationStage.ManifestConfig>.complete(in: folder))

        // A rerun redoes nothing: every action is a reuse and the models' manifests are untouched.
        let modelManifest = runFolder.appendingPathComponent("ablations/ot/seed-0/flow/manifest.json")
        let before = try Data(contentsOf: modelManifest)
        let again = try AblationStage.run(options(variants: all, seeds: 1), write: { _ in })
        for row in again.report.rows {
            XCTAssertEqual(
                row.seeds[0].actions, ["model": "reused", "samples": "reused", "evaluation": "reused"],
                row.variant.rawValue)
            XCTAssertEqual(row.swdMean, report.rows.first { $0.variant == row.variant }!.swdMean)
        }
        XCTAssertEqual(try Data(contentsOf: modelManifest), before)
    }

    func testTwoSeedsGiveASpreadAndPairedDifferences() throws {
        let report = try AblationStage.run(options(variants: [.noEMA], seeds: 2), write: { _ in }).report
        XCTAssertEqual(report.rows.map(\.variant), [.baseline, .noEMA])
        let baseline = report.rows[0], noEMA = report.rows[1]
        XCTAssertEqual(noEMA.seeds.map(\.seed), [0, 1])
        XCTAssertEqual(try trainedConfig(.noEMA, seed: 1).training.seed, 1)
        XCTAssertEqual(try trainedConfig(.noEMA, seed: 1).dataSeed, 1)
        let values = baseline.seeds.map(\.swdMean)
        XCTAssertNotEqual(values[0], values[1], "different seeds train different models")
        XCTAssertEqual(baseline.swdMean.spread!, abs(values[0] - values[1]) / 2.0.squareRoot(), accuracy: 1e-12)
        let differences = zip(noEMA.seeds, baseline.seeds).map { $0.swdMean - $1.swdMean }
        XCTAssertEqual(noEMA.swdMeanDifference!.mean, (differences[0] + differences[1]) / 2, accuracy: 1e-12)
        XCTAssertEqual(
            noEMA.swdMeanDifference!.spread!, abs(differences[0] - differences[1]) / 2.0.squareRoot(), accuracy: 1e-12)
    }

    func testAnInterruptedTrainingResumesAndAModelOfOtherSettingsIsRetrained() throws {
        // The baseline's seed-0 training interrupted at step 1 (a checkpoint, no manifest).
        var interrupted = options(variants: [], seeds: 1).compare.latentTraining
        interrupted.run = run
        interrupted.artifacts = artifacts
        interrupted.output = runFolder.appendingPathComponent("ablations/baseline/seed-0/flow").path
        interrupted.steps = 1
        try TrainFlowStage.run(interrupted, write: { _ in })
        try StageManifest<TrainFlowStage.ManifestConfig>.invalidate(in: URL(fileURLWithPath: interrupted.output!))
        // The OT folder holds a complete model trained without OT (as the baseline is).
        var wrong = interrupted
        wrong.output = runFolder.appendingPathComponent("ablations/ot/seed-0/flow").path
        wrong.steps = 2
        try TrainFlowStage.run(wrong, write: { _ in })

        var log = ""
        let report = try AblationStage.run(options(variants: [.optimalTransport], seeds: 1), write: { log += $0 })
            .report
        XCTAssertEqual(report.rows[0].seeds[0].actions["model"], "resumed")
        XCTAssertEqual(report.rows[0].seeds[0].trainingSteps, 2, "the resumed run ends at the shared budget")
        XCTAssertEqual(report.rows[1].seeds[0].actions["model"], "trained")
        XCTAssertTrue(log.contains("retraining the model") && log.contains("OT off"), log)
        XCTAssertTrue(try trainedConfig(.optimalTransport, seed: 0).training.optimalTransport)

        // Another budget: every variant's model is retrained in its own folder, the old one kept.
        let previousFolder = runFolder.appendingPathComponent(PreviousOutputs.folderName)
        let keptBefore = try FileManager.default.contentsOfDirectory(atPath: previousFolder.path).count
        var longer = options(variants: [.optimalTransport], seeds: 1)
        longer.compare.steps = 3
        log = ""
        let retrained = try AblationStage.run(longer, write: { log += $0 }).report
        XCTAssertEqual(retrained.rows.map { $0.seeds[0].actions["model"] }, ["trained", "trained"])
        XCTAssertEqual(retrained.rows.map { $0.seeds[0].trainingSteps }, [3, 3])
        XCTAssertTrue(log.contains("it was trained with a budget of 2 steps instead of 3 steps"), log)
        XCTAssertEqual(try trainedConfig(.baseline, seed: 0).budget, TrainFlowStage.Budget(steps: 3, minutes: nil))
        let kept = try FileManager.default.contentsOfDirectory(atPath: previousFolder.path)
        XCTAssertEqual(kept.count, keptBefore + 2, "both models moved aside, not deleted: \(kept)")
    }

    func testBadInputFailsBeforeAnyWork() throws {
        XCTAssertThrowsError(try AblationVariant.parse(["ot,bogus"])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("bogus"), message)
            for known in ["cosine-path", "uniform-time", "ot", "no-ema"] {
                XCTAssertTrue(message.contains(known), message)
            }
        }
        XCTAssertEqual(
            try AblationVariant.parse(["ot, no-ema", "ot", "baseline"]), [.baseline, .optimalTransport, .noEMA])
        XCTAssertThrowsError(try AblationStage.run(options(variants: [.optimalTransport], seeds: 0), write: { _ in })) {
            error in
            XCTAssertTrue("\(error)".contains("--seeds"), "\(error)")
        }
        var unbudgeted = options(variants: [.optimalTransport], seeds: 1)
        unbudgeted.compare.steps = nil
        XCTAssertThrowsError(try AblationStage.run(unbudgeted, write: { _ in }))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("ablations").path),
            "nothing was trained")
    }
}
