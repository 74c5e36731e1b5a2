import FileFormats
import Foundation
import Pipeline
import XCTest

/// `artifacts/<run>/report.html`: written by `pipeline run` after each stage and by `pipeline
/// report`, judged as `pipeline status` judges, self-contained, and never a reason for a run to fail.
final class RunReportTests: XCTestCase {
    static let configuration = """
        preset: quick
        run: tiny
        stages:
          prepare: { source: synthetic, count: 60, size: 32, classes: 3 }
          train-ae: { steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }
          train-flow: { steps: 20, base: 16, multipliers: [1, 2], batch-size: 16, checkpoint-every: 20, log-every: 5, warmup: 1, eval-every: 10, eval-samples: 8, eval-images: 8 }
          generate: { count: 6, steps: 2 }
        """

    var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTinyRunFolder(Self.configuration, prefix: "run-report")
    }

    func pipeline(_ arguments: [String]) throws -> PipelineProcess.Outcome {
        try PipelineProcess.run(arguments + ["--threads", "1"], in: folder)
    }

    var reportURL: URL { folder.appendingPathComponent("artifacts/tiny/report.html") }

    func testARunWritesAReportOfEveryStageWithItsPicturesChartsAndTables() throws {
        let run = try pipeline(["run", "--config", "tiny.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("report: \(reportURL.path)"), run.stdout)
        let html = try String(contentsOf: reportURL, encoding: .utf8)

        // Each stage with its state, duration and settings (from the ledger's records).
        for stage in ["prepare", "train-ae", "encode", "train-flow", "generate", "evaluate"] {
            XCTAssertTrue(
                html.contains(
                    "<article class=\"card\" id=\"stage-\(stage)\"><h3>\(stage) <span class=\"state state-done\">done</span>"
                ),
                stage)
        }
        XCTAssertTrue(html.contains("Not enabled: distill-flow, flow-latents, finetune-decoder, train-pixel, compare."))
        XCTAssertTrue(html.contains("<dt>duration</dt>"))
        XCTAssertTrue(html.contains("<td class=\"text\">steps</td><td class=\"text\">20</td>"), "train-flow's settings")
        // The pictures, embedded.
        XCTAssertEqual(
            html.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1, 3,
            "the samples, the reconstructions and the flow's evaluation samples")
        // The class names of the sample grid's columns.
        XCTAssertTrue(
            html.contains("<ol class=\"legend\"><li>daisy-like</li><li>sunflower-like</li><li>poppy-like</li></ol>"),
            html)
        // The evaluation beside its floor, as metrics.json holds them.
        let metrics = try EvaluateMetrics.read(
            from: folder.appendingPathComponent("artifacts/tiny/reports/evaluate/metrics.json"))
        let floor = try XCTUnwrap(metrics.floor)
        XCTAssertTrue(
            html.contains(
                String(
                    format: "<td class=\"text\">SWD ×10³ mean</td><td>%.2f</td><td>%.2f</td>",
                    metrics.report.slicedWasserstein.mean, floor.report.slicedWasserstein.mean)), html)
        // The autoencoder's table and the charts with their series.
        XCTAssertTrue(html.contains("<caption>Reconstruction quality</caption>"))
        XCTAssertTrue(html.contains("<caption>Code usage</caption>"))
        for series in ["batch PSNR", "latent", "latent samples", "latent: real images (floor)"] {
            XCTAssertTrue(html.contains("data-name=\"\(series)\">\n<polyline"), series)
        }
        // Self-contained: no script, no stylesheet or picture fetched from anywhere.
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertFalse(html.contains("src=\"http"))
        XCTAssertTrue(html.contains("<meta name=\"viewport\""), "sized for phones")
    }

    /// `pipeline report` judges as `pipeline status` does: a changed setting makes the stage and
    /// those after it stale, with the same reason.
    func testTheReportCommandShowsStatusesJudgement() throws {
        XCTAssertEqual(try pipeline(["run", "--config", "tiny.yaml"]).status, 0)
        try FileManager.default.removeItem(at: reportURL)
        let report = try pipeline(["report", "--run", "tiny", "--set", "train-flow.steps=25"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(report.stdout.trimmingCharacters(in: .whitespacesAndNewlines), reportURL.path)
        let status = try pipeline(["status", "--run", "tiny", "--set", "train-flow.steps=25"])
        let html = try String(contentsOf: reportURL, encoding: .utf8)
        XCTAssertTrue(status.stdout.contains("stale: settings changed: steps: 20 → 25"), status.stdout)
        XCTAssertTrue(
            html.contains(
                "<h3>train-flow <span class=\"state state-stale\">stale</span></h3><p class=\"why\">settings changed: steps: 20 → 25</p>"
            ),
            html)
        XCTAssertTrue(
            html.contains(
                "<h3>generate <span class=\"state state-stale\">stale</span></h3><p class=\"why\">upstream train-flow is not done</p>"
            ))
        XCTAssertTrue(html.contains("<h3>train-ae <span class=\"state state-done\">done</span>"))
    }

    /// The report is for reading: when it cannot be written the run still succeeds, with a warning.
    func testARunWhoseReportCannotBeWrittenStillSucceeds() throws {
        try FileManager.default.createDirectory(
            at: reportURL.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)
        let run = try pipeline(["run", "--config", "tiny.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("run 'tiny' complete"), run.stdout)
        XCTAssertTrue(run.stderr.contains("warning: the run report was not written: "), run.stderr)
        XCTAssertTrue(run.stderr.contains(reportURL.path), "the warning names the file: \(run.stderr)")
    }

    /// Damaged or hostile files give a line saying what is wrong, never a crash or broken markup.
    func testDamagedFilesAreReportedAndTextIsEscaped() throws {
        let run = folder.appendingPathComponent("artifacts/broken")
        for stage in ["autoencoder", "samples", "reports/evaluate", "flow"] {
            try FileManager.default.createDirectory(
                at: run.appendingPathComponent(stage), withIntermediateDirectories: true)
        }
        try Data("{ not json".utf8).write(to: run.appendingPathComponent("autoencoder/evaluation.json"))
        try Data("[]".utf8).write(to: run.appendingPathComponent("reports/evaluate/metrics.json"))
        try Data("{\"loss\": 1, \"step\": 1, \"train_seconds\": 60}\nnot a line\n".utf8)
            .write(to: run.appendingPathComponent("flow/metrics.jsonl"))
        try Data("not a png".utf8).write(to: run.appendingPathComponent("samples/grid.png"))
        var ledger = RunLedger()
        ledger[.prepare] = RunLedger.Entry(
            record: StageRecord(
                key: "k", settings: StageSettings(values: ["source": "\"<script>alert(1)</script>\""]),
                codeVersion: 1, consumed: [:], outputs: StageFolderDigest(files: [:])))
        let input = RunReportInput(
            run: "<b>broken</b>", runFolder: run, settingsFrom: "test",
            states: [.prepare: .stale("a <reason>"), .trainAE: .missing], ledger: ledger)
        let html = RunReport.html(input)
        XCTAssertTrue(html.contains("<p class=\"problem\">The evaluation could not be read: "), html)
        XCTAssertTrue(html.contains("<p class=\"problem\">metrics.json could not be read: "), html)
        XCTAssertTrue(html.contains("Run <code>&lt;b&gt;broken&lt;/b&gt;</code>"))
        XCTAssertTrue(html.contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"))
        XCTAssertTrue(html.contains("<p class=\"why\">a &lt;reason&gt;</p>"))
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("data-name=\"latent\">\n<circle"), "the one readable loss line is drawn")
    }

    func testDurationsComeFromEachKindOfManifest() {
        XCTAssertEqual(StageDuration.seconds(manifest: ["timings": ["total": 12.5, "training": 10]]), 12.5)
        XCTAssertEqual(StageDuration.seconds(manifest: ["timings": ["totalSeconds": 3]]), 3)
        XCTAssertEqual(StageDuration.seconds(manifest: ["totalSeconds": 4, "timings": ["swd": 1]]), 4)
        XCTAssertEqual(
            StageDuration.seconds(manifest: ["timings": ["trainingSeconds": 60, "evaluationSeconds": 5, "steps": 9]]),
            65)
        XCTAssertNil(StageDuration.seconds(manifest: ["timings": ["swd": 1]]))
    }
}
