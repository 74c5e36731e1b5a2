/// The stages of a run, in the order `pipeline run` executes them, with the artifact
/// folder each one owns and the stages whose outputs it reads.
public enum PipelineStage: String, CaseIterable, Codable, Sendable {
    case prepare
    case trainAE = "train-ae"
    case encode
    case trainFlow = "train-flow"
    case generate
    case evaluate
    case trainPixel = "train-pixel"
    case generatePixel = "generate-pixel"
    case evaluatePixel = "evaluate-pixel"
    case compare

    /// Folder under `artifacts/<run>/`.
    public var folder: String {
        switch self {
        case .prepare: return "dataset"
        case .trainAE: return "autoencoder"
        case .encode: return "latents"
        case .trainFlow: return "flow"
        case .generate: return "samples"
        case .evaluate: return "evaluation"
        case .trainPixel: return "pixel-flow"
        case .generatePixel: return "pixel-samples"
        case .evaluatePixel: return "pixel-evaluation"
        case .compare: return "reports"
        }
    }

    /// Stages whose outputs this one reads: a change in any of them makes this one stale.
    public var upstream: [PipelineStage] {
        switch self {
        case .prepare: return []
        case .trainAE: return [.prepare]
        case .encode: return [.prepare, .trainAE]
        case .trainFlow: return [.encode]
        case .generate: return [.trainAE, .trainFlow]
        case .evaluate: return [.prepare, .generate]
        case .trainPixel: return [.prepare]
        case .generatePixel: return [.trainPixel]
        case .evaluatePixel: return [.prepare, .generatePixel]
        case .compare: return [.evaluate, .evaluatePixel]
        }
    }

    /// Every stage below this one (transitively), in run order.
    public var downstream: [PipelineStage] {
        PipelineStage.allCases.filter { $0.dependsOn(self) }
    }

    public func dependsOn(_ other: PipelineStage) -> Bool {
        upstream.contains(other) || upstream.contains { $0.dependsOn(other) }
    }
}
