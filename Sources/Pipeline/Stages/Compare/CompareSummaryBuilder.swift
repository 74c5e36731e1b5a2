import Foundation
import ImageMetrics

/// A space's numbers for the report, from its training manifest and log, its samples' sidecar
/// and its evaluation.
enum CompareSummaryBuilder {
    static func make(
        space: TrainFlowStage.Space, actions: [String: String], training: CompareReuse.TrainingManifest,
        curves: TrainingCurves, sidecar: GenerateStage.Sidecar, metrics: EvaluateMetrics
    ) -> CompareReport.SpaceSummary {
        let config = training.config
        // The log's clock covers every session of a resumed run; the manifest's "training"
        // timing only the last one, so it is the fallback.
        let seconds =
            (curves.lastMinutes.map { $0 * 60 } ?? training.timings["training"] ?? training.timings["total"] ?? 0)
        let steps = max(config.steps, 0)
        let sampling = sidecar.timings["sampling"] ?? 0, decode = sidecar.timings["decode"] ?? 0
        let report = metrics.report
        var summary = CompareReport.SpaceSummary(
            space: space, actions: actions, parameters: config.parameters, batchSize: config.batchSize,
            trainingSteps: steps, trainingMinutes: seconds / 60,
            secondsPerStep: steps > 0 ? seconds / Double(steps) : .nan,
            trainingImagesPerSecond: seconds > 0 ? Double(steps * config.batchSize) / seconds : .nan,
            finalLoss: curves.loss.last?.value,
            sampleCount: sidecar.count, sampleClassCount: Set(sidecar.sampleClasses).count, nfe: sidecar.networkPasses,
            samplingSeconds: sampling, decodeSeconds: decode,
            samplingImagesPerSecond: sampling + decode > 0 ? Double(sidecar.count) / (sampling + decode) : .nan,
            swdResolutions: report.slicedWasserstein.resolutions, swdPerLevel: report.slicedWasserstein.perLevel,
            swdMean: report.slicedWasserstein.mean, iskd: report.imageStatisticsKernelDistance.value,
            iskdStandardDeviation: report.imageStatisticsKernelDistance.standardDeviation,
            pixelJensenShannon: report.pixels.jensenShannon, pixelWasserstein: report.pixels.wasserstein,
            pixelMMD: report.pixels.mmd, standardDeviationDifference: report.pixels.standardDeviationDifference,
            evaluatedImages: report.generatedCount, realImages: report.referenceCount, grid: nil, curves: curves)
        summary.iskdSubsets = report.imageStatisticsKernelDistance.subsets
        summary.iskdSubsetSize = report.imageStatisticsKernelDistance.subsetSize
        summary.swdFloorPerLevel = metrics.floor?.report.slicedWasserstein.perLevel
        summary.swdFloorMean = metrics.floor?.report.slicedWasserstein.mean
        summary.trainingSWDFloor = config.evaluation?.floor?.mean
        return summary
    }
}
