import FileFormats
import Foundation

/// The flow's training: loss and SWD against training minutes (`metrics.jsonl`), the latent flow
/// and, when the run has one, the pixel baseline on the same axes, with the SWD's floor (real
/// images in place of the samples) dashed; and the latest evaluation's samples.
enum FlowSection {
    struct Space {
        var stage: RunStage
        var name: String
        var color: String
        var curves: TrainingCurves
        var floor: Double?
    }

    static func make(_ input: RunReportInput) -> ReportSection? {
        var spaces: [Space] = []
        var problems: [String] = []
        for (stage, name, color) in [(RunStage.trainFlow, "latent", "#1f77b4"), (.trainPixel, "pixel", "#d62728")] {
            let folder = input.folder(stage)
            let metrics = folder.appendingPathComponent(TrainFlowStage.metricsFile)
            guard FileManager.default.fileExists(atPath: metrics.path) else { continue }
            do {
                spaces.append(
                    Space(
                        stage: stage, name: name, color: color, curves: try TrainingCurves.read(metrics),
                        floor: trainingFloor(folder)))
            } catch {
                problems.append("The \(name) flow's training log could not be read: \(error)")
            }
        }
        guard !spaces.isEmpty || !problems.isEmpty else { return nil }
        var body = problems.map(HTML.problem).joined()
        body += "<div class=\"charts\">" + HTML.chart(lossChart(spaces)) + HTML.chart(swdChart(spaces)) + "</div>"
        var facts: [(String, String)] = []
        for space in spaces {
            if let loss = space.curves.loss.last {
                facts.append(("\(space.name): last loss", "\(ReportFormat.number(loss.value)) at step \(loss.step)"))
            }
            if let swd = space.curves.swd.last {
                facts.append(
                    (
                        "\(space.name): last SWD ×10³",
                        String(format: "%.2f at step %d", swd.value, swd.step)
                            + (space.floor.map { String(format: " (floor %.2f)", $0) } ?? "")
                    ))
            }
            if let minutes = space.curves.lastMinutes {
                facts.append(("\(space.name): training time", ReportFormat.duration(minutes * 60)))
            }
        }
        body += HTML.facts(facts) + "<div class=\"pair\">"
        for space in spaces {
            if let latest = LatestGrid.find(inStageFolder: input.folder(space.stage)),
                let source = EmbeddedImage.source(latest.url, pageFolder: input.runFolder)
            {
                body += HTML.figure(
                    source, alt: "\(space.name) evaluation samples",
                    caption:
                        "The \(space.name) flow's evaluation samples at step \(latest.step) (EMA weights, guidance 1).")
            }
        }
        body += "</div>"
        return ReportSection(id: "flow", title: "Flow training", body: body)
    }

    /// The floor of the SWD logged during training, from the manifest (nil while training runs,
    /// or when too few training images were left to measure it).
    static func trainingFloor(_ folder: URL) -> Double? {
        let url = folder.appendingPathComponent(StageFiles.manifest)
        return (try? JSONFile.read(StageManifest<TrainFlowStage.ManifestConfig>.self, from: url))?.config.evaluation?
            .floor?.mean
    }

    static func lossChart(_ spaces: [Space]) -> SVGLineChart {
        var chart = SVGLineChart(
            title: "Training loss", xLabel: "training minutes", yLabel: "flow-matching loss",
            series: spaces.map { space in
                ChartSeries(
                    name: space.name,
                    points: ChartThinning.thinned(space.curves.loss.map { ChartPoint(x: $0.minutes, y: $0.value) }),
                    color: space.color)
            })
        chart.emptyMessage = "no loss logged yet"
        return chart
    }

    static func swdChart(_ spaces: [Space]) -> SVGLineChart {
        var series = spaces.map { space in
            ChartSeries(
                name: "\(space.name) samples", points: space.curves.swd.map { ChartPoint(x: $0.minutes, y: $0.value) },
                color: space.color)
        }
        for space in spaces {
            guard let floor = space.floor, let end = space.curves.swd.map(\.minutes).max() else { continue }
            series.append(
                ChartSeries(
                    name: "\(space.name): real images (floor)",
                    points: [ChartPoint(x: 0, y: floor), ChartPoint(x: end, y: floor)],
                    color: space.color, dashed: true))
        }
        var chart = SVGLineChart(
            title: "SWD ×10³ during training", xLabel: "training minutes", yLabel: "SWD ×10³ (mean over levels)",
            series: series)
        chart.emptyMessage = "no evaluation logged yet"
        return chart
    }
}
