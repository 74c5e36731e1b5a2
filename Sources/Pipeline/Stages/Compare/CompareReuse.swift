import FileFormats
import Foundation
import LatentFlow

/// Decides which of a space's earlier artifacts compare can reuse. Each check answers nil (redo)
/// or the artifact to reuse; a file that claims to be complete but cannot be read is an error,
/// never a reason to overwrite it silently.
public enum CompareReuse {
    public typealias TrainingManifest = StageManifest<TrainFlowStage.ManifestConfig>
    public typealias SamplesManifest = StageManifest<GenerateStage.Options>

    /// The training folder's manifest when it is complete; nil when there is none (or it is
    /// not complete), so the model must be trained or resumed.
    public static func trainedModel(in folder: URL) throws -> TrainingManifest? {
        let url = folder.appendingPathComponent(TrainingManifest.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let manifest: TrainingManifest
        do {
            manifest = try TrainingManifest.read(from: folder)
        } catch {
            throw StageError(
                "\(url.path): not a train-flow manifest this version can read (\(error)); "
                    + "move the folder away or retrain it with `pipeline train-flow --restart`")
        }
        guard manifest.isComplete else { return nil }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(TrainFlowStage.modelFile).path)
        else {
            throw StageError(
                "\(url.path) says complete but \(TrainFlowStage.modelFile) is missing; retrain with `pipeline train-flow --restart`"
            )
        }
        return manifest
    }

    /// Why a complete model was not trained to `budget` (nil: it was, or no budget is asked
    /// for). A manifest from before budgets were recorded is judged by its steps when the budget
    /// is steps alone (then exact) and otherwise taken as equal: there is nothing to tell.
    public static func budgetMismatch(_ manifest: TrainingManifest, budget: TrainFlowStage.Budget) -> String? {
        guard budget.steps != nil || budget.minutes != nil else { return nil }
        guard let trained = manifest.config.budget else {
            if budget.minutes == nil, let steps = budget.steps, manifest.config.steps != steps {
                return "trained \(manifest.config.steps) steps instead of \(steps)"
            }
            return nil
        }
        return trained == budget ? nil : "trained with a budget of \(trained) instead of \(budget)"
    }

    /// Why existing samples cannot be reused (nil: they can): they must be complete, drawn from
    /// this very model file (by SHA-256), decoded by this autoencoder (latent samples), with the
    /// requested count, classes, seed, sampler and guidance (and its interval), unsnapped, and with one PNG per
    /// sample for the evaluation.
    public static func samplesMismatch(
        in folder: URL, modelSHA256: String, autoencoderSHA256: String? = nil,
        space: TrainFlowStage.Space,
        count: Int, classes: [String], seed: UInt64, sampler: SamplerSettings,
        guidance: Float, guidanceInterval: ClosedRange<Float>? = nil
    ) -> String? {
        guard let manifest = SamplesManifest.complete(in: folder) else { return "no complete samples" }
        guard
            let sidecar = try? JSONFile.read(
                GenerateStage.Sidecar.self, from: folder.appendingPathComponent(GenerateStage.sidecarFile))
        else {
            return "\(GenerateStage.sidecarFile) missing or unreadable"
        }
        guard manifest.inputs.first(where: { $0.role == "flow model" })?.sha256 == modelSHA256 else {
            return "drawn from another model"
        }
        if let autoencoderSHA256,
            manifest.inputs.first(where: { $0.role == "autoencoder" })?.sha256 != autoencoderSHA256
        {
            return "decoded by another autoencoder"
        }
        var differences: [String] = []
        if sidecar.space != space { differences.append("space \(sidecar.space.rawValue)") }
        if sidecar.count != count { differences.append("count \(sidecar.count)") }
        if manifest.config.classes != classes {
            differences.append("classes \(manifest.config.classes.joined(separator: ","))")
        }
        if sidecar.seed != seed { differences.append("seed \(sidecar.seed)") }
        if sidecar.sampler != sampler {
            differences.append("sampler \(sidecar.sampler.method.rawValue) \(sidecar.sampler.steps) steps")
        }
        if sidecar.guidance != guidance { differences.append("guidance \(sidecar.guidance)") }
        if sidecar.guidanceInterval != guidanceInterval {
            differences.append(
                "guidance interval " + (sidecar.guidanceInterval.map { "\($0.lowerBound),\($0.upperBound)" } ?? "none"))
        }
        if sidecar.snap { differences.append("snapped") }
        if sidecar.files.filter({ $0.hasPrefix("images/") }).count != sidecar.count {
            differences.append("no per-sample images")
        }
        return differences.isEmpty ? nil : "other settings (" + differences.joined(separator: ", ") + ")"
    }

    /// Why an existing evaluation cannot be reused (nil: it can): complete, of these samples and
    /// real images with the same seed, subsets and image limit, and newer than the samples.
    public static func evaluationMismatch(in folder: URL, generated: URL, real: URL, options: EvaluateStage.Options)
        -> String?
    {
        guard
            let manifest = try? JSONFile.read(
                EvaluateManifest.self, from: folder.appendingPathComponent(EvaluateStage.manifestFile)),
            manifest.status == "complete"
        else { return "no complete evaluation" }
        let metrics = folder.appendingPathComponent(EvaluateStage.metricsFile)
        guard FileManager.default.fileExists(atPath: metrics.path) else {
            return "\(EvaluateStage.metricsFile) missing"
        }
        func same(_ a: String?, _ b: URL) -> Bool {
            a.map { URL(fileURLWithPath: $0).standardizedFileURL.path } == b.standardizedFileURL.path
        }
        guard same(manifest.config["generated"], generated) else { return "of other generated images" }
        guard same(manifest.config["real"], real) else { return "against other real images" }
        let expected = EvaluateSettings(options)
        guard manifest.config["seed"] == expected.seed, manifest.config["realSubsets"] == expected.realSubsets,
            manifest.config["maxImages"] == expected.maxImages
        else { return "other evaluation settings" }
        guard manifest.config["floor"] == expected.floor else { return "made without the real-versus-real floor" }
        let samplesDate = modificationDate(generated.appendingPathComponent(GenerateStage.sidecarFile))
        if let samplesDate, let metricsDate = modificationDate(metrics), metricsDate < samplesDate {
            return "older than the samples"
        }
        return nil
    }

    /// The evaluation settings as `EvaluateManifest.config` writes them.
    struct EvaluateSettings {
        var seed: String, realSubsets: String, maxImages: String?, floor: String
        init(_ options: EvaluateStage.Options) {
            seed = "\(options.seed)"
            floor = "\(options.measureFloor)"
            realSubsets = options.realSubsets.map(\.description).sorted().joined(separator: "+")
            maxImages = options.maxImages.map { "\($0)" }
        }
    }

    static func modificationDate(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}
