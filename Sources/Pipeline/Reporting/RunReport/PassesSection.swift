import FileFormats
import Foundation

/// Sample quality against network passes: the points of a passes sweep, each an `evaluate`
/// output folder `reports/passes/<point>/` whose `metrics.json` scores samples that `generate`
/// made (its `samples.json` beside the images says which model, sampler, seed and how many
/// network passes). One table and one chart of mean SWD per model and sampler, with the training
/// time of the stage that made each model. Nothing is typed in: a point is what its files say, and
/// a point whose files cannot be read is listed as a problem.
enum PassesSection {
    /// The sweep's folder within the run folder.
    static let folder = "reports/passes"

    /// One evaluation of one sampling.
    struct Point: Equatable {
        /// The model and sampler as the table shows them, e.g. "teacher, heun, guidance 3 for t in
        /// 0.2–1, 1020 samples (flow)" or "shortcut student, guidance 3 for t in 0.2–1, 1020 samples (fewstep)".
        var series: String
        /// Everything that makes points one series: the model (file and SHA-256), the method or
        /// sampler, the guidance and its interval, the count and the classes. Only the passes and
        /// the seed vary within a series.
        var seriesKey: String
        var passes: Int
        var seed: UInt64
        var meanSWD: Double
        var imageStatisticsKernelDistance: Double
        /// Seconds of the stage that made the model (its manifest's timings), when known.
        var trainingSeconds: Double?
    }

    static func make(_ input: RunReportInput) -> ReportSection? {
        let sweep = input.runFolder.appendingPathComponent(folder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: sweep.path), !names.isEmpty else {
            return nil
        }
        var points: [Point] = []
        var problems: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let metricsURL = sweep.appendingPathComponent(name).appendingPathComponent(EvaluateStage.metricsFile)
            guard FileManager.default.fileExists(atPath: metricsURL.path) else { continue }
            do { points.append(try point(metricsURL)) } catch { problems.append("\(name): \(error)") }
        }
        points = distinctLabels(points)
        guard !points.isEmpty || !problems.isEmpty else { return nil }
        var body = HTML.table(
            header: ["model and sampler", "network passes", "seeds", "mean SWD ×10³", "ISKD ×10³", "model's training"],
            rows: rows(points), textColumns: 1,
            caption: "Mean SWD against network passes (mean ± standard deviation over the seeds evaluated)")
        body += "<div class=\"charts\">" + HTML.chart(chart(points)) + "</div>"
        body += problems.map { HTML.problem($0) }.joined()
        return ReportSection(id: "passes", title: "Quality against network passes", body: body)
    }

    /// The point of one evaluation: its scores, and from the sidecar of the samples it scored, what made them.
    static func point(_ metricsURL: URL) throws -> Point {
        let metrics = try EvaluateMetrics.read(from: metricsURL)
        let samples = URL(fileURLWithPath: metrics.generated.path).appendingPathComponent(GenerateStage.sidecarFile)
        guard FileManager.default.fileExists(atPath: samples.path) else {
            throw FileFormatError(
                .notFound, path: samples.path, "no samples.json beside the generated images \(metricsURL.path) scored")
        }
        let sidecar = try JSONFile.read(GenerateStage.Sidecar.self, from: samples)
        let model = URL(fileURLWithPath: sidecar.model)
        let stageFolder = model.deletingLastPathComponent()
        var sampler: String
        if let method = sidecar.fewStep {
            sampler = "\(method.rawValue) student"
        } else {
            sampler = "teacher, \(sidecar.sampler.method.rawValue)"
            if sidecar.sampler.shift != 1 { sampler += " shift \(PassesSweepRecipe.plain(sidecar.sampler.shift))" }
        }
        let interval = sidecar.guidanceInterval ?? 0...1
        var guidance = "guidance \(PassesSweepRecipe.plain(sidecar.guidance))"
        if sidecar.guidance != 1 && interval != 0...1 {
            guidance +=
                " for t in \(PassesSweepRecipe.plain(interval.lowerBound))–\(PassesSweepRecipe.plain(interval.upperBound))"
        }
        // Samples made before samples.json named the model's hash: the samples' manifest has it.
        let modelSHA256 =
            sidecar.modelSHA256
            ?? (try? StageManifest<GenerateStage.Options>.read(from: samples.deletingLastPathComponent()))?.inputs
            .first { $0.role == "flow model" }?.sha256
        let classes = sidecar.columns.map { String($0.id) }.joined(separator: ",")
        // Within a series only the steps vary; a few-step model's method is its sampler.
        let solver = sidecar.sampler
        let samplerKey =
            sidecar.fewStep.map { "few-step \($0.rawValue)" }
            ?? "\(solver.method.rawValue) shift \(solver.shift) rtol \(solver.relativeTolerance) atol \(solver.absoluteTolerance) at most \(solver.maximumSteps)"
        let key = [
            sidecar.model, modelSHA256 ?? "", samplerKey, "\(sidecar.guidance)",
            "\(interval.lowerBound)...\(interval.upperBound)", "\(sidecar.count)", classes,
        ].joined(separator: "\u{0}")
        return Point(
            series: "\(sampler), \(guidance), \(sidecar.count) samples (\(stageFolder.lastPathComponent))",
            seriesKey: key, passes: sidecar.networkPasses, seed: sidecar.seed,
            meanSWD: metrics.report.slicedWasserstein.mean,
            imageStatisticsKernelDistance: metrics.report.imageStatisticsKernelDistance.value,
            trainingSeconds: StageDuration.seconds(stageFolder: stageFolder))
    }

    /// Series that would read alike but are not one (another model file or SHA-256, other
    /// classes, another tolerance) get their labels numbered, so that no row stands for two.
    static func distinctLabels(_ points: [Point]) -> [Point] {
        let keysByLabel = Dictionary(grouping: points, by: \.series).mapValues {
            Array(Set($0.map(\.seriesKey))).sorted()
        }
        return points.map { point in
            var point = point
            if let keys = keysByLabel[point.series], keys.count > 1, let index = keys.firstIndex(of: point.seriesKey) {
                point.series += " #\(index + 1)"
            }
            return point
        }
    }

    /// One row per series and pass count: each seed's scores (averaged, should one seed have
    /// been measured twice), then their mean and the standard deviation over the seeds.
    static func rows(_ points: [Point]) -> [[String]] {
        let groups = Dictionary(grouping: points) { "\($0.seriesKey)\u{0}\($0.passes)" }.values
            .sorted { ($0[0].series, $0[0].passes) < ($1[0].series, $1[0].passes) }
        return groups.map { group in
            let bySeed = Dictionary(grouping: group, by: \.seed).values
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            let swd = bySeed.map { mean($0.map(\.meanSWD)) }
            let average = mean(swd)
            let deviation =
                swd.count > 1
                ? (swd.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(swd.count - 1)).squareRoot()
                : nil
            let iskd = mean(bySeed.map { mean($0.map(\.imageStatisticsKernelDistance)) }) * 1000
            return [
                group[0].series, "\(group[0].passes)", "\(bySeed.count)",
                String(format: "%.2f", average) + (deviation.map { String(format: " ± %.2f", $0) } ?? ""),
                String(format: "%.3f", iskd),
                group[0].trainingSeconds.map(ReportFormat.duration) ?? "–",
            ]
        }
    }

    /// Mean SWD (over seeds) against log₂ of the passes, one line per model and sampler.
    static func chart(_ points: [Point]) -> SVGLineChart {
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
        let series = Dictionary(grouping: points, by: \.seriesKey).sorted { $0.value[0].series < $1.value[0].series }
            .enumerated().map {
                index, entry in
                let byPasses = Dictionary(grouping: entry.value, by: \.passes).sorted { $0.key < $1.key }
                return ChartSeries(
                    name: entry.value[0].series,
                    points: byPasses.map { passes, group in
                        ChartPoint(
                            x: log2(Double(max(passes, 1))), y: group.map(\.meanSWD).reduce(0, +) / Double(group.count))
                    }, color: colors[index % colors.count])
            }
        var chart = SVGLineChart(
            title: "Mean SWD against network passes", xLabel: "log₂ network passes (0: 1 pass, 2: 4, 4: 16…)",
            yLabel: "mean SWD ×10³", series: series)
        chart.emptyMessage = "no readable evaluation"
        return chart
    }
}
