/// The stages `pipeline run` executes, in order, each with the folder whose `manifest.json`
/// says it finished, and the stages whose outputs it reads.
public enum RunStage: String, CaseIterable, Codable, Sendable {
    case prepare
    case trainAE = "train-ae"
    case encode
    case trainFlow = "train-flow"
    case generate
    case evaluate

    /// Folder under `artifacts/<run>/` holding the stage's manifest.
    public var folder: String {
        switch self {
        case .prepare: return "dataset"
        case .trainAE: return "autoencoder"
        case .encode: return "latents"
        case .trainFlow: return "flow"
        case .generate: return "samples"
        case .evaluate: return "reports/evaluate"
        }
    }

    /// Stages whose outputs this one reads: when one of them changes, this one is stale.
    public var upstream: [RunStage] {
        switch self {
        case .prepare: return []
        case .trainAE: return [.prepare]
        case .encode: return [.prepare, .trainAE]
        case .trainFlow: return [.encode]
        case .generate: return [.trainAE, .trainFlow]
        case .evaluate: return [.prepare, .generate]
        }
    }

    /// The files later stages read, checked by hash before a completed stage is trusted (nil:
    /// every file of the folder, for the samples that evaluate reads). Logs, grids and
    /// checkpoints of a finished stage are not in the list: they are not inputs of anything.
    public var artifactFiles: [String]? {
        switch self {
        case .prepare: return ["images.h5"]
        case .trainAE, .trainFlow: return ["model.safetensors"]
        case .encode: return ["latents.h5"]
        case .generate: return nil
        case .evaluate: return ["metrics.json"]
        }
    }

    /// Training stages keep a checkpoint and can resume an interrupted run.
    public var resumable: Bool { self == .trainAE || self == .trainFlow }
}
