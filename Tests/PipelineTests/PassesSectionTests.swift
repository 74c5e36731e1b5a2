import FileFormats
import Foundation
import LatentFlow
import Pipeline
import XCTest

/// The report's passes table and chart show what the sweep's evaluations measured: each point's
/// mean SWD from its metrics.json, its passes and seed from the samples it scored.
final class PassesSectionTests: XCTestCase {
    let fixture = FlowStageFixture.shared
    var runFolder: URL!

    override func setUpWithError() throws {
        runFolder = fixture.root.appendingPathComponent("passes-\(UUID().uuidString)")
        _ = try fixture.latents()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: runFolder)
    }

    func report() -> String {
        RunReport.html(
            RunReportInput(run: "passes", runFolder: runFolder, settingsFrom: "test", states: [:], ledger: RunLedger()))
    }

    /// Samples of `steps` Euler steps with `seed`, scored into `reports/passes/<name>/`; returns the mean SWD.
    func sweepPoint(_ name: String, model: URL, steps: Int, seed: UInt64, guidance: Float = 1) throws -> Double {
        let point = runFolder.appendingPathComponent("reports/passes/\(name)")
        var generate = GenerateStage.Options()
        generate.run = fixture.run
        generate.artifacts = fixture.artifacts
        generate.model = model.path
        generate.count = 6
        generate.seed = seed
        generate.guidance = guidance
        generate.sampler = SamplerSettings(method: .euler, steps: steps)
        generate.output = point.appendingPathComponent("samples").path
        try GenerateStage.run(generate, write: { _ in })
        var evaluate = EvaluateStage.Options()
        evaluate.generated = point.appendingPathComponent("samples").path
        evaluate.real = fixture.datasetFolder.path
        evaluate.measureFloor = false
        evaluate.output = point.path
        return try EvaluateStage.run(evaluate, write: { _ in }).metrics.report.slicedWasserstein.mean
    }

    func testTheTableAndChartHoldWhatTheSweepMeasured() throws {
        XCTAssertFalse(report().contains("id=\"passes\""), "no sweep, no section")
        let model = try TrainFlowStage.run(
            fixture.trainOptions(output: runFolder.appendingPathComponent("flow"), steps: 2), write: { _ in }
        ).model
        let one = try sweepPoint("euler-1", model: model, steps: 1, seed: 0)
        let twoSeed0 = try sweepPoint("euler-2-s0", model: model, steps: 2, seed: 0)
        let twoSeed1 = try sweepPoint("euler-2-s1", model: model, steps: 2, seed: 1)
        try FileManager.default.createDirectory(
            at: runFolder.appendingPathComponent("reports/passes/broken"), withIntermediateDirectories: true)
        try Data("[]".utf8).write(to: runFolder.appendingPathComponent("reports/passes/broken/metrics.json"))

        let html = report()
        XCTAssertTrue(html.contains("<section id=\"passes\">"), html)
        let series = "teacher, euler, guidance 1, 6 samples (flow)"
        XCTAssertTrue(
            html.contains(
                "<td class=\"text\">\(series)</td><td>1</td><td>1</td><td>\(String(format: "%.2f", one))</td>"), html)
        let mean = (twoSeed0 + twoSeed1) / 2
        let deviation = ((twoSeed0 - mean) * (twoSeed0 - mean) + (twoSeed1 - mean) * (twoSeed1 - mean)).squareRoot()
        XCTAssertTrue(
            html.contains(
                "<td class=\"text\">\(series)</td><td>2</td><td>2</td><td>"
                    + String(format: "%.2f ± %.2f", mean, deviation) + "</td>"), html)
        XCTAssertFalse(html.contains("<td>–</td></tr>"), "the flow stage's training time is known")
        XCTAssertTrue(html.contains("data-name=\"\(series)\""), "the chart's line")
        XCTAssertTrue(html.contains("<p class=\"problem\">broken: "), "an unreadable point is named, not dropped")
    }

    /// Points of one model at one seed but another guidance are two measurements: two rows, each
    /// labelled with its guidance and sample count and counting one seed, never one row averaged
    /// over both with a "±" over one seed.
    func testAnotherGuidanceIsAnotherRow() throws {
        let model = try TrainFlowStage.run(
            fixture.trainOptions(output: runFolder.appendingPathComponent("flow"), steps: 2), write: { _ in }
        ).model
        let two = try sweepPoint("g2", model: model, steps: 1, seed: 0, guidance: 2)
        let three = try sweepPoint("g3", model: model, steps: 1, seed: 0, guidance: 3)
        let html = report()
        // One guided Euler step is two passes; the mean SWD cell ends at the mean: no spread over one seed.
        for (guidance, swd) in [(2, two), (3, three)] {
            let row =
                "<td class=\"text\">teacher, euler, guidance \(guidance), 6 samples (flow)</td><td>2</td><td>1</td>"
                + "<td>\(String(format: "%.2f", swd))</td>"
            XCTAssertTrue(html.contains(row), "\(row) in \(html)")
        }
    }
}

/// `sweep-passes` writes the points the report reads, and keeps measured ones unless forced.
final class PassesSweepTests: XCTestCase {
    let fixture = FlowStageFixture.shared

    func testEveryStepCountAndSeedIsAPointAndMeasuredPointsAreKept() throws {
        _ = try fixture.latents()
        let artifacts = fixture.root.appendingPathComponent("sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: artifacts) }
        let run = artifacts.appendingPathComponent("s")
        let model = try TrainFlowStage.run(
            fixture.trainOptions(output: run.appendingPathComponent("flow"), steps: 2), write: { _ in }
        ).model
        var options = PassesSweep.Options()
        options.run = "s"
        options.artifacts = artifacts.path
        options.autoencoder = fixture.autoencoderURL.path
        options.sampler = SamplerSettings(method: .euler, steps: 1)
        options.steps = [1, 3]
        options.seeds = [0, 5]
        options.count = 4
        options.classes = []
        options.real = fixture.datasetFolder.path
        options.realSubsets = [.validation, .train]
        let points = try PassesSweep.run(options, write: { _ in })
        XCTAssertEqual(
            points.map(\.lastPathComponent),
            ["flow-euler-1-s0", "flow-euler-1-s5", "flow-euler-3-s0", "flow-euler-3-s5"])
        XCTAssertEqual(model.deletingLastPathComponent().lastPathComponent, "flow")
        let sidecar = try JSONFile.read(
            GenerateStage.Sidecar.self, from: points[3].appendingPathComponent("samples/\(GenerateStage.sidecarFile)"))
        XCTAssertEqual(sidecar.seed, 5)
        XCTAssertEqual(sidecar.networkPasses, 3)
        let html = RunReport.html(
            RunReportInput(run: "s", runFolder: run, settingsFrom: "test", states: [:], ledger: RunLedger()))
        XCTAssertTrue(
            html.contains("<td class=\"text\">teacher, euler, guidance 1, 4 samples (flow)</td><td>3</td><td>2</td>"),
            html)

        let written =
            try FileManager.default.attributesOfItem(
                atPath: points[0].appendingPathComponent(EvaluateStage.metricsFile).path)[.modificationDate] as? Date
        let output = WrittenText()
        try PassesSweep.run(options, write: output.append)
        XCTAssertTrue(
            output.text.contains("flow-euler-1-s0 is measured already with these settings, kept"), output.text)
        let again =
            try FileManager.default.attributesOfItem(
                atPath: points[0].appendingPathComponent(EvaluateStage.metricsFile).path)[.modificationDate] as? Date
        XCTAssertEqual(written, again)

        // Another guidance makes every point another measurement: measured again, saying why, the
        // old folders moved aside under the run's previous/, not deleted.
        options.steps = [1]
        options.seeds = [0]
        options.guidance = 2
        let guided = WrittenText()
        try PassesSweep.run(options, write: guided.append)
        XCTAssertTrue(guided.text.contains("flow-euler-1-s0: guidance 2 now, 1 before: measured again"), guided.text)
        XCTAssertEqual(
            try JSONFile.read(
                GenerateStage.Sidecar.self,
                from: points[0].appendingPathComponent("samples/\(GenerateStage.sidecarFile)")
            ).guidance, 2)
        let previous = try FileManager.default.contentsOfDirectory(
            atPath: run.appendingPathComponent(PreviousOutputs.folderName).path)
        XCTAssertEqual(previous.count, 1, "\(previous)")
        XCTAssertTrue(previous[0].hasPrefix("reports-passes-flow-euler-1-s0-"), "\(previous)")
        let kept = run.appendingPathComponent(
            "\(PreviousOutputs.folderName)/\(previous[0])/\(EvaluateStage.metricsFile)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.path))

        // A retrained model is another model, though its file has the same name.
        var retrain = fixture.trainOptions(output: run.appendingPathComponent("flow"), steps: 3)
        retrain.restart = true
        _ = try TrainFlowStage.run(retrain, write: { _ in })
        let retrained = WrittenText()
        try PassesSweep.run(options, write: retrained.append)
        XCTAssertTrue(
            retrained.text.contains("flow-euler-1-s0: the model's SHA-256 ")
                && retrained.text.contains("before: measured again"), retrained.text)

        options.steps = [0]
        XCTAssertThrowsError(try PassesSweep.run(options, write: { _ in })) { error in
            XCTAssertTrue("\(error)".contains("--steps"), "\(error)")
        }
    }
}
