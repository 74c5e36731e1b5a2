/// The stages `pipeline run` executes, in order, each with the folder whose `manifest.json`
/// says it finished, and the stages whose outputs it reads. `finetune-decoder` (a sharper
/// decoder for the autoencoder's latents), `train-pixel` and `compare` (the pixel baseline and
/// the latent-versus-pixel report) are optional: they run only when the configuration enables
/// them (`RunConfig.isEnabled`).
public enum RunStage: String, CaseIterable, Codable, Sendable {
    case prepare
    case trainAE = "train-ae"
    case finetuneDecoder = "finetune-decoder"
    case encode
    case trainFlow = "train-flow"
    case generate
    case evaluate
    case trainPixel = "train-pixel"
    case compare

    /// Folder under `artifacts/<run>/` holding the stage's manifest.
    public var folder: String {
        switch self {
        case .prepare: return "dataset"
        case .trainAE: return TrainAEStage.folderName
        case .finetuneDecoder: return TrainAEStage.decoderFolderName
        case .encode: return "latents"
        case .trainFlow: return "flow"
        case .generate: return "samples"
        case .evaluate: return "reports/evaluate"
        case .trainPixel: return "pixel-flow"
        case .compare: return "reports/compare"
        }
    }

    /// Stages whose outputs this one reads: when one of them changes, this one is stale.
    public var upstream: [RunStage] {
        switch self {
        case .prepare: return []
        case .trainAE: return [.prepare]
        case .finetuneDecoder: return [.prepare, .trainAE]
        case .encode: return [.prepare, .trainAE]
        case .trainFlow: return [.encode]
        // The decoder, when enabled, decodes the samples instead of the autoencoder's own.
        case .generate: return [.trainAE, .finetuneDecoder, .trainFlow]
        case .evaluate: return [.prepare, .generate]
        case .trainPixel: return [.prepare]
        case .compare: return [.prepare, .trainAE, .finetuneDecoder, .trainFlow, .trainPixel]
        }
    }

    /// The files later stages read, checked by hash before a completed stage is trusted (nil:
    /// every file of the folder, for the samples that evaluate reads). Logs, grids and
    /// checkpoints of a finished stage are not in the list: they are not inputs of anything.
    public var artifactFiles: [String]? {
        switch self {
        case .prepare: return ["images.h5"]
        case .trainAE, .finetuneDecoder, .trainFlow, .trainPixel: return ["model.safetensors"]
        case .encode: return ["latents.h5"]
        case .generate: return nil
        case .evaluate: return ["metrics.json"]
        case .compare: return ["report.json", "report.md", "report.html"]
        }
    }

    /// Training stages keep a checkpoint and can resume an interrupted run.
    public var resumable: Bool { [.trainAE, .finetuneDecoder, .trainFlow, .trainPixel].contains(self) }

    /// Stages that run only when enabled in the configuration.
    public var isOptional: Bool { [.finetuneDecoder, .trainPixel, .compare].contains(self) }
}
