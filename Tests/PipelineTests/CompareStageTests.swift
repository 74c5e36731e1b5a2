import FileFormats
import Foundation
import LatentFlow
import Pipeline
import VQVAE
import XCTest

#if canImport(FoundationXML)
    import FoundationXML  // XMLParser lives here on Linux
#endif

/// `pipeline compare` on the flow fixture's data: training, reuse, resumption, sampling,
/// evaluation and the report, with tiny networks and budgets.
final class CompareStageTests: XCTestCase {
    var fixture: FlowStageFixture { FlowStageFixture.shared }
    var scratch: URL!
    let run = "cmp"
    var artifacts: String { scratch.appendingPathComponent("artifacts").path }
    var runFolder: URL { scratch.appendingPathComponent("artifacts/cmp") }

    /// A run folder of its own holding copies of the fixture's dataset, autoencoder and latents,
    /// so the fixture's `flow/` and `samples/` stay untouched.
    override func setUpWithError() throws {
        scratch = fixture.root.appendingPathComponent("compare-\(UUID().uuidString)")
        try fixture.seedRun(runFolder)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func training(_ space: TrainFlowStage.Space) -> TrainFlowStage.Options {
        var options = fixture.trainOptions(
            output: runFolder.appendingPathComponent(space == .latent ? "flow" : "pixel-flow"), steps: 1)
        options.run = run
        options.artifacts = artifacts
        options.space = space
        options.batchSize = space == .latent ? 8 : 4
        options.logEvery = 1
        return options
    }

    func options() -> CompareStage.Options {
        var options = CompareStage.Options()
        options.run = run
        options.artifacts = artifacts
        options.steps = 4
        options.count = 4
        options.sampler = SamplerSettings(method: .euler, steps: 2)
        options.latentTraining = training(.latent)
        options.pixelTraining = training(.pixel)
        return options
    }

    func testTrainsOrResumesBothModelsAndWritesTheReport() throws {
        // An interrupted pixel run: a checkpoint at step 3 and no manifest.
        var interrupted = training(.pixel)
        interrupted.steps = 3
        try TrainFlowStage.run(interrupted, write: { _ in })
        try StageManifest<TrainFlowStage.ManifestConfig>.invalidate(in: runFolder.appendingPathComponent("pixel-flow"))

        var log = ""
        let result = try CompareStage.run(
            options(), style: .log(everySeconds: 1000, everyPercent: 100), write: { log += $0 })
        let report = result.report
        XCTAssertEqual(report.latent.actions, ["model": "trained", "samples": "generated", "evaluation": "computed"])
        XCTAssertEqual(report.pixel.actions, ["model": "resumed", "samples": "generated", "evaluation": "computed"])
        XCTAssertEqual(report.latent.trainingSteps, 4)
        XCTAssertEqual(report.pixel.trainingSteps, 4, "the resumed run ends at the shared budget")
        XCTAssertEqual(report.latent.nfe, 2)
        XCTAssertEqual(report.pixel.nfe, 2, "the same sampler and steps for both")
        XCTAssertEqual(report.latent.sampleCount, 4)
        XCTAssertGreaterThan(report.pixel.parameters, 0)
        XCTAssertNotEqual(report.latent.swdMean, report.pixel.swdMean)
        XCTAssertEqual(report.latent.curves.loss.count, 4, "one loss line per step (log-every 1)")
        XCTAssertTrue(log.contains("resuming the interrupted pixel training"), log)

        let folder = runFolder.appendingPathComponent("reports/compare")
        XCTAssertEqual(result.folder.standardizedFileURL.path, folder.standardizedFileURL.path)
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)).subtracting([RunLock.fileName]),
            [
                "report.md", "report.html", "report.json", "loss.svg", "swd.svg", "latent-grid.png", "pixel-grid.png",
                "manifest.json",
            ], "no temporary files left behind")
        XCTAssertEqual(try CompareReport.read(from: folder.appendingPathComponent("report.json")), report)

        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        for summary in [report.latent, report.pixel] {
            let swd = String(format: "%.2f", summary.swdMean), iskd = String(format: "%.3f", summary.iskd * 1000)
            for (name, text) in [("report.md", markdown), ("report.html", html)] {
                XCTAssertTrue(text.contains(swd), "\(name) shows the \(summary.space) SWD mean \(swd)")
                XCTAssertTrue(text.contains(iskd), "\(name) shows the \(summary.space) ISKD \(iskd)")
                XCTAssertTrue(
                    text.contains("\(summary.space.rawValue)-grid.png"), "\(name) links the \(summary.space) grid")
            }
        }
        XCTAssertTrue(
            markdown.contains(String(format: "%+.2f", report.latent.swdMean - report.pixel.swdMean)),
            "the difference column")
        XCTAssertNil(report.latent.trainingSWDFloor, "no evaluation during training in this test, so no floor of it")
        // With SWD logged during training and its floor, the chart draws the floor dashed, across the curve.
        var logged = report
        logged.latent.curves.swd = [
            CurvePoint(step: 2, minutes: 0.5, value: 90), CurvePoint(step: 4, minutes: 1.5, value: 70),
        ]
        logged.latent.trainingSWDFloor = 30
        let chart = CompareCharts.swd(logged)
        let floorLine = try XCTUnwrap(chart.series.first { $0.name == "latent: real images (floor)" })
        XCTAssertTrue(floorLine.dashed)
        XCTAssertEqual(floorLine.points, [ChartPoint(x: 0, y: 30), ChartPoint(x: 1.5, y: 30)])
        XCTAssertFalse(chart.series.contains { $0.name.hasPrefix("pixel: real") }, "no floor without a logged curve")
        let floorMean = try XCTUnwrap(
            report.latent.swdFloorMean, "the floor, from real images outside the held-out split")
        XCTAssertEqual(report.pixel.swdFloorMean, floorMean, "the same real images at the same counts for both")
        for text in [markdown, html] { XCTAssertTrue(text.contains(String(format: "mean %.2f", floorMean)), text) }
        XCTAssertTrue(markdown.contains("No SWD during training was logged"), markdown)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "both charts inlined")
        for chart in ["loss.svg", "swd.svg"] {
            let parser = XMLParser(data: try Data(contentsOf: folder.appendingPathComponent(chart)))
            XCTAssertTrue(parser.parse(), "\(chart) is well-formed XML")
        }
        XCTAssertEqual(
            try Data(contentsOf: folder.appendingPathComponent("pixel-grid.png")),
            try Data(contentsOf: runFolder.appendingPathComponent("pixel-samples/grid.png")),
            "the grid copied beside the report")
        let manifest = try StageManifest<CompareStage.ManifestConfig>.read(from: folder)
        XCTAssertTrue(manifest.isComplete)
        XCTAssertEqual(manifest.outputs.count, 7)
        XCTAssertEqual(manifest.inputs.count, 6)
        for file in ["reports/evaluate-pixel/metrics.json", "reports/evaluate-latent/metrics.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(file).path), file)
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("samples").path),
            "compare draws its own latent samples and leaves generate's folder alone")
        XCTAssertEqual(report.latent.sampleClassCount, 3)
        XCTAssertTrue(markdown.contains("4 samples per model (3 classes in turn)"), markdown)
    }

    func testCompleteModelsAreReusedAndOnlyMismatchedSamplesRedone() throws {
        try CompareStage.run(options(), style: .log(everySeconds: 1000, everyPercent: 100), write: { _ in })

        // No budget needed: both models are complete; same settings, so everything is reused.
        var again = options()
        again.steps = nil
        let reused = try CompareStage.run(again, write: { _ in })
        for summary in [reused.report.latent, reused.report.pixel] {
            XCTAssertEqual(
                summary.actions, ["model": "reused", "samples": "reused", "evaluation": "reused"], "\(summary.space)")
        }

        // Another seed: new samples and evaluations from the same models.
        again.seed = 7
        let reseeded = try CompareStage.run(again, write: { _ in })
        XCTAssertEqual(
            reseeded.report.latent.actions, ["model": "reused", "samples": "generated", "evaluation": "computed"])
        XCTAssertEqual(
            reseeded.report.pixel.actions, ["model": "reused", "samples": "generated", "evaluation": "computed"])
        XCTAssertEqual(reseeded.report.latent.trainingSteps, 4)
        let sidecar = try JSONFile.read(
            GenerateStage.Sidecar.self, from: runFolder.appendingPathComponent("latent-samples/samples.json"))
        XCTAssertEqual(sidecar.seed, 7)
        XCTAssertEqual(sidecar.sampleClasses, [0, 1, 2, 0], "every class in turn by default")

        // Other classes: new samples.
        again.classes = ["1"]
        let reclassed = try CompareStage.run(again, write: { _ in })
        XCTAssertEqual(reclassed.report.latent.actions["samples"], "generated")
        XCTAssertEqual(reclassed.report.latent.sampleClassCount, 1)
        again.classes = ["all"]
        try CompareStage.run(again, write: { _ in })

        // Samples written by hand with other settings are redone.
        var generate = GenerateStage.Options()
        generate.run = run
        generate.artifacts = artifacts
        generate.space = .pixel
        generate.count = 3
        generate.seed = 7
        try GenerateStage.run(generate, write: { _ in })
        let redone = try CompareStage.run(again, write: { _ in })
        XCTAssertEqual(redone.report.latent.actions["samples"], "reused")
        XCTAssertEqual(redone.report.pixel.actions["samples"], "generated")
        XCTAssertEqual(redone.report.pixel.sampleCount, 4)

        // Another decoder for the latents (the same weights saved again, so other bytes): the
        // latent samples are redone with it, the pixel ones kept.
        let decoder = runFolder.appendingPathComponent("other-decoder.safetensors")
        try RVQAutoencoder.load(from: runFolder.appendingPathComponent("autoencoder/model.safetensors"))
            .save(to: decoder, metadata: ["note": "a copy"])
        again.autoencoder = decoder.path
        let redecoded = try CompareStage.run(again, write: { _ in })
        XCTAssertEqual(redecoded.report.latent.actions["samples"], "generated")
        XCTAssertEqual(redecoded.report.pixel.actions["samples"], "reused")
        let samples = try XCTUnwrap(
            CompareReuse.SamplesManifest.complete(in: runFolder.appendingPathComponent("latent-samples")))
        XCTAssertEqual(samples.inputs.first { $0.role == "autoencoder" }?.sha256, try SHA256.hashFile(at: decoder).hex)
        XCTAssertEqual(try CompareStage.run(again, write: { _ in }).report.latent.actions["samples"], "reused")

        // Guidance limited to an interval: both models' samples are redone with it, and the report says so.
        again.guidance = 2
        try CompareStage.run(again, write: { _ in })
        again.guidanceInterval = 0.25...1
        let interval = try CompareStage.run(again, write: { _ in })
        XCTAssertEqual(interval.report.latent.actions["samples"], "generated")
        XCTAssertEqual(interval.report.pixel.actions["samples"], "generated")
        XCTAssertEqual(
            try JSONFile.read(
                GenerateStage.Sidecar.self, from: runFolder.appendingPathComponent("pixel-samples/samples.json")
            )
            .guidanceInterval, 0.25...1)
        XCTAssertTrue(
            CompareTables.settings(interval.report).contains("guidance 2.0 for t in 0.25…1"),
            CompareTables.settings(interval.report))
    }

    /// `--minutes` counts the training of every session: a model interrupted past half its
    /// budget and resumed by compare trains on until the whole budget is spent (it used to be
    /// given what was left of it as a new budget, which the time already trained then spent
    /// again, and the model was written complete at once).
    func testAResumedModelTrainsToTheWholeTimeBudget() throws {
        let budget = 0.03  // minutes
        var interrupted = training(.pixel)
        interrupted.steps = nil
        interrupted.minutes = budget * 2 / 3
        try TrainFlowStage.run(interrupted, write: { _ in })
        let folder = runFolder.appendingPathComponent("pixel-flow")
        try StageManifest<TrainFlowStage.ManifestConfig>.invalidate(in: folder)
        let stoppedAt = try FlowTrainer.checkpointSettings(at: folder.appendingPathComponent("checkpoint.safetensors"))
            .step

        var options = options()
        options.steps = nil
        options.minutes = budget
        var log = ""
        let report = try CompareStage.run(options, write: { log += $0 }).report
        XCTAssertEqual(report.pixel.actions["model"], "resumed")
        let manifest = try StageManifest<TrainFlowStage.ManifestConfig>.read(from: folder)
        XCTAssertGreaterThanOrEqual(
            try XCTUnwrap(manifest.timings["train_seconds"]), budget * 60, "trained to the whole budget: \(log)")
        XCTAssertGreaterThan(manifest.config.steps, stoppedAt, "the resumed session trained")
        XCTAssertEqual(manifest.config.budget, TrainFlowStage.Budget(steps: nil, minutes: budget))
    }

    /// Complete models trained to another budget than the comparison's are not compared as if
    /// equal: compare names the difference and stops, and changes nothing.
    func testAModelOfAnotherBudgetIsRefused() throws {
        try CompareStage.run(options(), write: { _ in })
        let model = runFolder.appendingPathComponent("flow/model.safetensors")
        let before = try SHA256.hashFile(at: model).hex
        var longer = options()
        longer.steps = 5
        XCTAssertThrowsError(try CompareStage.run(longer, write: { _ in })) {
            XCTAssertTrue(
                "\($0)".contains(
                    "cmp/flow: the latent model there was trained with a budget of 4 steps instead of 5 steps"),
                "\($0)")
        }
        XCTAssertEqual(try SHA256.hashFile(at: model).hex, before)

        // A manifest from before budgets were recorded: with steps alone, its steps tell.
        let manifestURL = runFolder.appendingPathComponent("flow/manifest.json")
        var object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        var config = try XCTUnwrap(object["config"] as? [String: Any])
        config["budget"] = nil
        object["config"] = config
        try JSONSerialization.data(withJSONObject: object).write(to: manifestURL)
        XCTAssertThrowsError(try CompareStage.run(longer, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("trained 4 steps instead of 5"), "\($0)")
        }
        var log = ""
        let same = try CompareStage.run(options(), write: { log += $0 })
        XCTAssertEqual(same.report.latent.actions["model"], "reused")
        XCTAssertTrue(log.contains("trained before budgets were recorded"), log)
    }

    func testBadOptionsAreClearErrors() {
        var bad = options()
        bad.count = 1
        XCTAssertThrowsError(try CompareStage.run(bad, write: { _ in })) {
            XCTAssertTrue("\($0)".contains("--count"), "\($0)")
        }
        bad = options()
        bad.steps = nil
        XCTAssertThrowsError(try CompareStage.run(bad, write: { _ in })) {
            XCTAssertTrue(
                "\($0)".contains("cmp/flow: no complete latent model; give a training budget with --minutes M"), "\($0)"
            )
        }
    }
}
