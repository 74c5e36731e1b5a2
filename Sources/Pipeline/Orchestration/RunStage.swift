/// The stages `pipeline run` executes, in order, each with the folder whose `manifest.json`
/// says it finished, and the stages whose outputs it reads. `flow-latents` and
/// `finetune-decoder` (latents sampled from the flow, and a sharper decoder for the
/// autoencoder's latents whose discriminator also judges the flow's), `train-pixel` and
/// `compare` (the pixel baseline and the latent-versus-pixel report) and `distill-flow` (a
/// few-step generator distilled from the flow) are optional: they run only when the
/// configuration enables them (`RunConfig.isEnabled`).
public enum RunStage: String, CaseIterable, Codable, Sendable {
    case prepare
    case trainAE = "train-ae"
    case encode
    case trainFlow = "train-flow"
    case distillFlow = "distill-flow"
    case flowLatents = "flow-latents"
    case finetuneDecoder = "finetune-decoder"
    case generate
    case evaluate
    case trainPixel = "train-pixel"
    case compare

    /// Folder under `artifacts/<run>/` holding the stage's manifest.
    public var folder: String {
        switch self {
        case .prepare: return ArtifactFolders.dataset
        case .trainAE: return ArtifactFolders.autoencoder
        case .finetuneDecoder: return ArtifactFolders.decoder
        case .encode: return ArtifactFolders.latents
        case .trainFlow: return ArtifactFolders.flow
        case .distillFlow: return ArtifactFolders.fewStep
        case .flowLatents: return ArtifactFolders.flowLatents
        case .generate: return ArtifactFolders.samples
        case .evaluate: return ArtifactFolders.evaluateReport
        case .trainPixel: return ArtifactFolders.pixelFlow
        case .compare: return ArtifactFolders.compareReport
        }
    }

    /// Stages whose outputs this one reads: when one of them changes, this one is stale.
    public var upstream: [RunStage] {
        switch self {
        case .prepare: return []
        case .trainAE: return [.prepare]
        case .encode: return [.prepare, .trainAE]
        case .trainFlow: return [.encode]
        case .flowLatents, .distillFlow: return [.trainFlow]
        case .finetuneDecoder: return [.prepare, .trainAE, .flowLatents]
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
        case .trainAE, .finetuneDecoder, .trainFlow, .trainPixel, .distillFlow: return [StageFiles.model]
        case .encode: return ["latents.h5"]
        case .flowLatents: return ["latents.safetensors"]
        case .generate: return nil
        case .evaluate: return ["metrics.json"]
        case .compare: return ["report.json", "report.md", "report.html"]
        }
    }

    /// The version of the stage's code, part of its key: bump it when a change to the stage
    /// would make different outputs from the same settings and inputs, so that runs made before
    /// go stale instead of being reused. (A change that keeps the outputs keeps the number.)
    public var codeVersion: Int {
        switch self {
        case .prepare, .encode, .finetuneDecoder, .distillFlow: return 1
        // 2: the saved codebooks are refitted to the saved (EMA) encoder.
        case .trainAE: return 2
        // 2: standardised with the statistics of every variant trained on (pixels: class-balanced).
        case .trainFlow, .trainPixel: return 2
        // 2: no solver step straddles the guidance interval's ends; passes counted per network pass.
        case .flowLatents, .generate: return 2
        // 2: photo folders used whole (resized and cropped); the kernel distance is ISKD.
        // 3: the reference restricted to the sampled classes, the floor in the reference's class
        // mix, folders of photos framed with the run's dataset margin.
        case .evaluate, .compare: return 3
        }
    }

    /// Training stages keep a checkpoint and can resume an interrupted run.
    public var resumable: Bool { [.trainAE, .finetuneDecoder, .trainFlow, .trainPixel, .distillFlow].contains(self) }

    /// Stages that run only when enabled in the configuration.
    public var isOptional: Bool {
        [.flowLatents, .finetuneDecoder, .trainPixel, .compare, .distillFlow].contains(self)
    }
}

/// File names every stage folder shares.
public enum StageFiles {
    /// Written last, atomically: a folder without it (or whose status is not "complete") is unfinished.
    public static let manifest = "manifest.json"
    /// The trained model of a training stage.
    public static let model = "model.safetensors"
    /// The full training state a training stage resumes from.
    public static let checkpoint = "checkpoint.safetensors"
}
