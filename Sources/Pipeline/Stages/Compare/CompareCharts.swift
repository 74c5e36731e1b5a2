import Foundation

/// The report's two charts: training loss and SWD against training wall-clock minutes.
public enum CompareCharts {
    static let latentColor = "#1f77b4", pixelColor = "#d62728"

    public static func loss(_ report: CompareReport) -> SVGLineChart {
        var chart = SVGLineChart(
            title: "Training loss", xLabel: "training wall-clock (minutes)", yLabel: "flow-matching loss",
            series: [
                series("latent", report.latent.curves.loss, latentColor),
                series("pixel", report.pixel.curves.loss, pixelColor),
            ])
        chart.emptyMessage = "no loss was logged"
        return chart
    }

    /// SWD logged during training where there is any; otherwise the final evaluation alone, as
    /// one point at the end of training.
    public static func swd(_ report: CompareReport) -> SVGLineChart {
        func line(_ summary: CompareReport.SpaceSummary, _ name: String, _ color: String) -> ChartSeries {
            if !summary.curves.swd.isEmpty { return series(name, summary.curves.swd, color) }
            return ChartSeries(
                name: "\(name) (final evaluation)",
                points: [ChartPoint(x: summary.trainingMinutes, y: summary.swdMean)], color: color)
        }
        // Where real images score with as few samples: a curve near its floor has nothing left to show.
        func floor(_ summary: CompareReport.SpaceSummary, _ name: String, _ color: String) -> ChartSeries? {
            guard let value = summary.trainingSWDFloor, !summary.curves.swd.isEmpty,
                let end = summary.curves.swd.map(\.minutes).max()
            else { return nil }
            return ChartSeries(
                name: "\(name): real images (floor)",
                points: [ChartPoint(x: 0, y: value), ChartPoint(x: end, y: value)],
                color: color, dashed: true)
        }
        let floors = [floor(report.latent, "latent", latentColor), floor(report.pixel, "pixel", pixelColor)].compactMap
        { $0 }
        var chart = SVGLineChart(
            title: "SWD ×10³ (mean over levels)", xLabel: "training wall-clock (minutes)", yLabel: "SWD ×10³",
            series: [line(report.latent, "latent", latentColor), line(report.pixel, "pixel", pixelColor)] + floors)
        chart.emptyMessage = "no SWD was logged or evaluated"
        return chart
    }

    /// A sentence for the report saying where the SWD chart's points come from.
    public static func swdNote(_ report: CompareReport) -> String {
        switch (report.latent.curves.swd.isEmpty, report.pixel.curves.swd.isEmpty) {
        case (true, true): return "No SWD during training was logged; the chart shows each model's final evaluation."
        case (false, false): return "SWD as logged by the trainers' evaluations during training."
        case (true, false):
            return "The latent trainer logged no SWD during training; its point is the final evaluation."
        case (false, true): return "The pixel trainer logged no SWD during training; its point is the final evaluation."
        }
    }

    private static func series(_ name: String, _ points: [CurvePoint], _ color: String) -> ChartSeries {
        ChartSeries(name: name, points: points.map { ChartPoint(x: $0.minutes, y: $0.value) }, color: color)
    }
}
