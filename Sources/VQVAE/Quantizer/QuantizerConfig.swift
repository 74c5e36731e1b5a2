import Foundation

/// Settings of the residual vector quantizer: its shape (levels × codes × dimension) and how the
/// codebooks learn (EMA with Laplace smoothing, k-means start, dead-code restarts, level dropout).
public struct QuantizerConfig: Codable, Equatable, Sendable {
    /// Quantization levels; level l codes what levels 0..<l left over.
    public var levels = 4
    /// Codes per level.
    public var codebookSize = 256
    /// Length of a code vector: the latent channel count.
    public var dimension = 4
    /// EMA decay of the code counts and sums.
    public var decay = 0.99
    /// Laplace smoothing of the counts, so a rarely used code is never divided by ~0.
    public var epsilon = 1e-5
    /// β of the commitment loss β·mean((z − sg(q))²).
    public var commitmentWeight = 0.25
    /// Lloyd iterations of the k-means start.
    public var kmeansIterations = 20
    /// A code not chosen for this many consecutive training steps is re-seeded from a current
    /// residual vector (0 turns restarts off).
    public var deadCodeWindow = 20
    /// Probability that a training batch is decoded from a random number of levels
    /// (uniform in `dropoutMinimumLevels...levels`) rather than from all of them.
    public var dropoutProbability = 0.5
    public var dropoutMinimumLevels = 1

    public init() {}

    public init(levels: Int = 4, codebookSize: Int = 256, dimension: Int = 4) {
        self.levels = levels
        self.codebookSize = codebookSize
        self.dimension = dimension
    }

    /// The problems of this configuration, empty when it is usable.
    public var problems: [String] {
        var result: [String] = []
        if levels < 1 { result.append("levels must be at least 1, got \(levels)") }
        if codebookSize < 1 || codebookSize > Int(Int32.max) {
            result.append("codebook size must be at least 1, got \(codebookSize)")
        }
        if dimension < 1 { result.append("code dimension must be at least 1, got \(dimension)") }
        if !(decay >= 0 && decay < 1) { result.append("EMA decay must be in [0, 1), got \(decay)") }
        if !(epsilon > 0) { result.append("Laplace epsilon must be positive, got \(epsilon)") }
        if !(commitmentWeight >= 0) { result.append("commitment weight must be non-negative, got \(commitmentWeight)") }
        if kmeansIterations < 0 { result.append("k-means iterations must be non-negative, got \(kmeansIterations)") }
        if deadCodeWindow < 0 { result.append("dead-code window must be non-negative, got \(deadCodeWindow)") }
        if !(dropoutProbability >= 0 && dropoutProbability <= 1) {
            result.append("quantizer dropout probability must be in [0, 1], got \(dropoutProbability)")
        }
        if dropoutMinimumLevels < 1 || dropoutMinimumLevels > max(levels, 1) {
            result.append("quantizer dropout minimum levels must be in 1...\(levels), got \(dropoutMinimumLevels)")
        }
        return result
    }

    /// Bits of one index into a codebook (log2 K).
    public var bitsPerCode: Double { log2(Double(codebookSize)) }
}
