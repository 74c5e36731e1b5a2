import Datasets
import FileFormats
import Foundation

/// A stage's headline numbers for its card in the report (what it made, how well, how fast),
/// read from the files it wrote. A file that is missing or unreadable gives no figures; the
/// sections below the cards say what is wrong with it.
enum StageFigures {
    static func of(_ stage: RunStage, folder: URL) -> [(String, String)] {
        switch stage {
        case .prepare: return prepare(folder)
        case .trainAE, .finetuneDecoder: return autoencoder(folder)
        case .encode: return encode(folder)
        case .trainFlow, .trainPixel: return flow(folder)
        case .distillFlow: return fewStep(folder)
        case .flowLatents, .generate: return samples(folder)
        case .evaluate: return evaluate(folder)
        case .compare: return compare(folder)
        }
    }

    static func prepare(_ folder: URL) -> [(String, String)] {
        guard let manifest = try? DatasetManifest.read(from: folder) else { return [] }
        let c = manifest.counts
        return [
            ("images", "\(c.total): train \(c.train) · validation \(c.validation) · test \(c.test)"),
            ("classes", "\(c.perClass.count)"), ("size", "\(manifest.processing.size) px"),
        ]
    }

    static func autoencoder(_ folder: URL) -> [(String, String)] {
        let url = folder.appendingPathComponent(StageFiles.manifest)
        let steps: Int, imagesPerSecond: Double?, evaluation: AutoencoderEvaluationReport?
        if let manifest = try? JSONFile.read(TrainAEStage.Manifest.self, from: url) {
            (steps, imagesPerSecond, evaluation) = (
                manifest.config.steps, manifest.timings["images_per_second"], manifest.config.evaluation
            )
        } else if let legacy = try? JSONFile.read(LegacyTrainAEManifest.self, from: url) {
            (steps, imagesPerSecond, evaluation) = (
                legacy.timings.steps, legacy.timings.imagesPerSecond, legacy.evaluation
            )
        } else {
            return []
        }
        var figures = [("steps", "\(steps)")]
        if let imagesPerSecond { figures.append(("training speed", ReportFormat.rate(imagesPerSecond, unit: "img"))) }
        if let evaluation, let all = evaluation.quantized.last {
            figures.append(
                (
                    "held-out PSNR · SSIM",
                    String(format: "%.2f dB · %.3f (%d levels)", all.psnr, all.ssim, all.levels ?? 0)
                ))
        }
        return figures
    }

    static func encode(_ folder: URL) -> [(String, String)] {
        let url = folder.appendingPathComponent(StageFiles.manifest)
        guard let data = try? Data(contentsOf: url),
            let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let outputs = manifest["outputs"] as? [[String: Any]]
        else { return [] }
        let bytes = outputs.compactMap { TrainingCurves.number($0["bytes"]) }.reduce(0, +)
        return [("latent cache", ReportFormat.bytes(Int(bytes)))]
    }

    static func fewStep(_ folder: URL) -> [(String, String)] {
        guard
            let manifest = try? JSONFile.read(
                StageManifest<DistillFlowStage.ManifestConfig>.self,
                from: folder.appendingPathComponent(StageFiles.manifest))
        else { return [] }
        let config = manifest.config
        var figures = [
            ("method", config.training.method.rawValue), ("steps", "\(config.steps) (batch \(config.batchSize))"),
            ("teacher pairs", "\(config.pairs.count), guidance \(ReportFormat.number(Double(config.pairs.guidance)))"),
        ]
        if let curves = try? TrainingCurves.read(folder.appendingPathComponent(DistillFlowStage.metricsFile)),
            let loss = curves.loss.last
        {
            figures.append(("last loss", ReportFormat.number(loss.value)))
        }
        return figures
    }

    static func flow(_ folder: URL) -> [(String, String)] {
        var figures: [(String, String)] = []
        if let manifest = try? JSONFile.read(
            StageManifest<TrainFlowStage.ManifestConfig>.self,
            from: folder.appendingPathComponent(StageFiles.manifest))
        {
            figures.append(("steps", "\(manifest.config.steps) (batch \(manifest.config.batchSize))"))
            figures.append(("network", ReportFormat.scaled(Double(manifest.config.parameters)) + " parameters"))
            if let rate = manifest.timings["images_per_second"] {
                figures.append(("training speed", ReportFormat.rate(rate, unit: "img")))
            }
        }
        if let curves = try? TrainingCurves.read(folder.appendingPathComponent(TrainFlowStage.metricsFile)) {
            if let loss = curves.loss.last { figures.append(("last loss", ReportFormat.number(loss.value))) }
            if let swd = curves.swd.last { figures.append(("last SWD ×10³", String(format: "%.2f", swd.value))) }
        }
        return figures
    }

    static func samples(_ folder: URL) -> [(String, String)] {
        guard
            let sidecar = try? JSONFile.read(
                GenerateStage.Sidecar.self, from: folder.appendingPathComponent(GenerateStage.sidecarFile))
        else { return [] }
        return [
            ("samples", "\(sidecar.count)"),
            (
                "sampler",
                "\(sidecar.sampler.method.rawValue) \(sidecar.sampler.steps) steps, \(sidecar.networkPasses) passes"
            ),
        ]
    }

    static func evaluate(_ folder: URL) -> [(String, String)] {
        guard let metrics = try? EvaluateMetrics.read(from: folder.appendingPathComponent(EvaluateStage.metricsFile))
        else { return [] }
        var swd = String(format: "%.2f", metrics.report.slicedWasserstein.mean)
        if let floor = metrics.floor { swd += String(format: " (floor %.2f)", floor.report.slicedWasserstein.mean) }
        return [
            ("SWD ×10³ mean", swd),
            ("ISKD ×10³", String(format: "%.3f", metrics.report.imageStatisticsKernelDistance.value * 1000)),
        ]
    }

    static func compare(_ folder: URL) -> [(String, String)] {
        guard let report = try? CompareReport.read(from: folder.appendingPathComponent(CompareReport.jsonFile)) else {
            return []
        }
        return [
            ("SWD ×10³ mean", String(format: "latent %.2f · pixel %.2f", report.latent.swdMean, report.pixel.swdMean))
        ]
    }
}
