import FileFormats
import TensorCore

/// What one training pass of the quantizer produced.
public struct QuantizerTrainingOutput {
    /// The quantized latents from the first `levelsUsed` levels, with the straight-through
    /// gradient to the encoder's latents.
    public var quantized: Variable
    /// β·mean((z − sg(q))²), the gradient going to the encoder only.
    public var commitmentLoss: Variable
    /// Levels decoded in this pass (fewer than all under quantizer dropout).
    public var levelsUsed: Int
    /// Codes of every level, [N, L, H, W] with L = all levels.
    public var codes: [Int32]
    /// Codes re-seeded per level after this pass.
    public var restartedCodes: [Int]
}

/// Residual vector quantization (SoundStream, Zeghidour et al. 2021): level 0 quantizes each
/// latent vector to its nearest code, level l quantizes what the levels before it left over,
/// and the quantized latent is the sum of the chosen codes.
///
/// Codebooks learn by EMA with Laplace smoothing (see `CodebookLevel`), start at k-means
/// centroids of the first batch, and codes idle for `deadCodeWindow` steps are re-seeded from
/// current residuals. Quantizer dropout trains the decoder on fewer levels now and then, so
/// that any prefix of the levels decodes. The codebooks and their statistics are buffers (not
/// parameters), saved as `rvq.levels.<l>.codebook`, `.ema_counts`, `.ema_sums`, `.idle_steps`.
public final class ResidualVectorQuantizer {
    public let config: QuantizerConfig
    public private(set) var levels: [CodebookLevel]
    /// Whether the codebooks have been started (by k-means, or loaded).
    public private(set) var isInitialized = false

    public init(_ config: QuantizerConfig) {
        precondition(config.problems.isEmpty, "ResidualVectorQuantizer: \(config.problems.joined(separator: "; "))")
        self.config = config
        levels = (0..<config.levels).map { _ in CodebookLevel(codes: config.codebookSize, dimension: config.dimension) }
    }

    // MARK: Inference

    /// Quantizes [N, D, H, W] latents with the first `levels` levels (all when nil). Returns the
    /// quantized latents (same shape) and the codes [N, levels, H, W]. Nothing is updated.
    public func quantize(_ latents: Tensor, levels count: Int? = nil) -> (quantized: Tensor, codes: [Int32]) {
        let used = checkedLevels(count)
        let (n, c, h, w) = latents.nchw("ResidualVectorQuantizer.quantize")
        precondition(
            c == config.dimension, "ResidualVectorQuantizer.quantize: \(c) channels, codes have \(config.dimension)")
        var residual = LatentVectors.rows(of: latents)
        var sum = Tensor(zeros: residual.shape)
        var perLevel: [[Int32]] = []
        for level in 0..<used {
            let codes = self.levels[level].search.nearest(residual)
            subtractAndAccumulate(level: level, codes: codes, residual: &residual, sum: &sum)
            perLevel.append(codes)
        }
        return (
            LatentVectors.latents(from: sum, count: n, height: h, width: w),
            Self.interleave(perLevel, count: n, positions: h * w)
        )
    }

    /// The latents [N, D, H, W] that codes [N, L, H, W] stand for, summing the first `levels`
    /// of the L planes given (all when nil). The result equals what `quantize` returned.
    /// - Throws: `QuantizerError` if the codes are not `count` × L × `height` × `width` for
    ///   1 ≤ L ≤ the quantizer's levels, or a code is outside the codebook.
    public func dequantize(codes: [Int32], count: Int, height: Int, width: Int, levels levelCount: Int? = nil) throws
        -> Tensor
    {
        let positions = height * width
        guard count > 0 && positions > 0 && codes.count % (count * positions) == 0 else {
            throw QuantizerError("\(codes.count) codes are not \(count) × L × \(height) × \(width)")
        }
        let stored = codes.count / (count * positions)
        guard stored >= 1 && stored <= config.levels else {
            throw QuantizerError("the codes hold \(stored) levels, the quantizer has \(config.levels)")
        }
        let used = min(levelCount ?? stored, stored)
        guard used >= 1 else { throw QuantizerError("levels must be at least 1, got \(used)") }
        if let bad = codes.first(where: { $0 < 0 || Int($0) >= config.codebookSize }) {
            throw QuantizerError("code \(bad) is outside the codebook's 0..<\(config.codebookSize)")
        }
        var sum = Tensor(zeros: [count * positions, config.dimension])
        let d = config.dimension
        for level in 0..<used {
            let table = levels[level].codebook
            sum.withUnsafeMutablePointer { s in
                table.withUnsafePointer { t in
                    for image in 0..<count {
                        for p in 0..<positions {
                            let code = Int(codes[(image * stored + level) * positions + p])
                            let row = (image * positions + p) * d
                            for j in 0..<d { s[row + j] += t[code * d + j] }
                        }
                    }
                }
            }
        }
        return LatentVectors.latents(from: sum, count: count, height: height, width: width)
    }

    // MARK: Training

    /// Starts every level's codebook at k-means centroids of that level's residuals of
    /// `latents` [N, D, H, W] (level 0 clusters the latents, level 1 what level 0 leaves, …).
    public func initialize(from latents: Tensor, generator: inout SeededGenerator) {
        var residual = LatentVectors.rows(of: latents)
        var sum = Tensor(zeros: residual.shape)
        for level in 0..<config.levels {
            levels[level].initialize(fromKMeans: residual, iterations: config.kmeansIterations, generator: &generator)
            let codes = levels[level].search.nearest(residual)
            subtractAndAccumulate(level: level, codes: codes, residual: &residual, sum: &sum)
        }
        isInitialized = true
    }

    /// One training pass: quantizes all levels with the current codebooks, decodes the first
    /// `levelsUsed` (random under quantizer dropout), then updates every level's EMA statistics
    /// and re-seeds idle codes. Initializes the codebooks from these latents on the first call.
    /// `generator` drives dropout and restarts (save it with the checkpoint for exact resumes).
    public func trainingStep(_ latents: Variable, generator: inout SeededGenerator) -> QuantizerTrainingOutput {
        trainingPass(latents, generator: &generator) { inputs, perLevel, generator in
            var restarted: [Int] = []
            for level in 0..<config.levels {
                levels[level].applyEMA(
                    vectors: inputs[level], codes: perLevel[level], decay: config.decay, epsilon: config.epsilon)
                restarted.append(
                    levels[level].restartIdleCodes(
                        vectors: inputs[level], window: config.deadCodeWindow,
                        generator: &generator
                    ).count)
            }
            return restarted
        }
    }

    /// A training pass whose codebook update is `update`'s: given every level's input vectors and
    /// codes, it updates the levels and returns the codes re-seeded per level.
    func trainingPass(
        _ latents: Variable, generator: inout SeededGenerator,
        update: (_ inputs: [Tensor], _ codes: [[Int32]], _ generator: inout SeededGenerator) throws -> [Int]
    ) rethrows -> QuantizerTrainingOutput {
        let (n, c, h, w) = latents.value.nchw("ResidualVectorQuantizer.trainingStep")
        precondition(
            c == config.dimension, "ResidualVectorQuantizer.trainingStep: \(c) channels, codes have \(config.dimension)"
        )
        if !isInitialized { initialize(from: latents.value, generator: &generator) }
        let used = drawLevels(generator: &generator)

        var residual = LatentVectors.rows(of: latents.value)
        var sum = Tensor(zeros: residual.shape)
        var inputs: [Tensor] = []
        var perLevel: [[Int32]] = []
        for level in 0..<config.levels {
            let codes = levels[level].search.nearest(residual)
            inputs.append(residual)
            // Levels past the dropout cut still pass their residual on: their codebooks learn every step.
            subtractAndAccumulate(level: level, codes: codes, residual: &residual, sum: &sum, accumulate: level < used)
            perLevel.append(codes)
        }
        let restarted = try update(inputs, perLevel, &generator)
        let quantized = LatentVectors.latents(from: sum, count: n, height: h, width: w)
        let commitment = mseLoss(latents, Variable(quantized)) * Float(config.commitmentWeight)
        return QuantizerTrainingOutput(
            quantized: straightThrough(latents, quantized: quantized),
            commitmentLoss: commitment, levelsUsed: used,
            codes: Self.interleave(perLevel, count: n, positions: h * w),
            restartedCodes: restarted)
    }

    /// The number of levels a training batch decodes: all, or under quantizer dropout (with
    /// probability `dropoutProbability`) a uniform draw from `dropoutMinimumLevels...levels`.
    public func drawLevels(generator: inout SeededGenerator) -> Int {
        guard config.dropoutProbability > 0, config.levels > config.dropoutMinimumLevels else { return config.levels }
        guard Double(generator.uniform()) < config.dropoutProbability else { return config.levels }
        return config.dropoutMinimumLevels + generator.integer(below: config.levels - config.dropoutMinimumLevels + 1)
    }

    // MARK: Buffers

    /// The buffer names, in a fixed order: per level codebook, EMA counts and sums, idle steps,
    /// then `initialized`.
    public func bufferNames(prefix: String = "rvq.") -> [String] {
        var names: [String] = []
        for level in 0..<config.levels {
            for field in ["codebook", "ema_counts", "ema_sums", "idle_steps"] {
                names.append("\(prefix)levels.\(level).\(field)")
            }
        }
        names.append(prefix + "initialized")
        return names
    }

    /// Codebooks and statistics by name, for checkpoints and the saved model.
    public func buffers(prefix: String = "rvq.") -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (level, state) in levels.enumerated() {
            let p = "\(prefix)levels.\(level)."
            result[p + "codebook"] = state.codebook
            result[p + "ema_counts"] = state.emaCounts
            result[p + "ema_sums"] = state.emaSums
            result[p + "idle_steps"] = state.idleSteps
        }
        result[prefix + "initialized"] = Tensor(scalar: isInitialized ? 1 : 0)
        return result
    }

    /// Replaces the codebooks and statistics with saved ones. Every buffer must be present with
    /// the shape this configuration expects; nothing changes otherwise. `source` names the file.
    public func loadBuffers(_ tensors: [String: Tensor], prefix: String = "rvq.", source: String) throws {
        let k = config.codebookSize, d = config.dimension
        func fetch(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let tensor = tensors[prefix + name] else {
                throw FileFormatError(.malformed, path: source, "quantizer buffer '\(prefix + name)' is missing")
            }
            guard tensor.shape == shape else {
                throw FileFormatError(
                    .malformed, path: source,
                    "quantizer buffer '\(prefix + name)' has shape \(tensor.shape), expected \(shape)")
            }
            if let bad = tensor.values.first(where: { !$0.isFinite }) {
                throw FileFormatError(.malformed, path: source, "quantizer buffer '\(prefix + name)' holds \(bad)")
            }
            return tensor
        }
        var loaded: [CodebookLevel] = []
        for level in 0..<config.levels {
            let p = "levels.\(level)."
            loaded.append(
                CodebookLevel(
                    codebook: try fetch(p + "codebook", [k, d]), emaCounts: try fetch(p + "ema_counts", [k]),
                    emaSums: try fetch(p + "ema_sums", [k, d]), idleSteps: try fetch(p + "idle_steps", [k])))
        }
        let flag = try fetch("initialized", [1])
        levels = loaded
        isInitialized = flag[flat: 0] != 0
    }

    /// Refits every level's codebook to `latents` [N, D, H, W] as the greedy quantizer uses
    /// them: level 0 by Lloyd steps on the latents (`CodebookLevel.refit`), level 1 on what level
    /// 0's final codes leave, and so on. For a model whose encoder changed after the codebooks
    /// learned its latents (an EMA of the weights), the codebooks become those of this encoder.
    /// Returns the Lloyd iterations each level took.
    @discardableResult
    public func refitCodebooks(to latents: Tensor, maximumIterations: Int) -> [Int] {
        let (_, c, _, _) = latents.nchw("ResidualVectorQuantizer.refitCodebooks")
        precondition(
            c == config.dimension,
            "ResidualVectorQuantizer.refitCodebooks: \(c) channels, codes have \(config.dimension)")
        var residual = LatentVectors.rows(of: latents)
        var sum = Tensor(zeros: residual.shape)
        var iterations: [Int] = []
        for level in 0..<config.levels {
            let (codes, taken) = levels[level].refit(to: residual, maximumIterations: maximumIterations)
            subtractAndAccumulate(level: level, codes: codes, residual: &residual, sum: &sum)
            iterations.append(taken)
        }
        return iterations
    }

    // MARK: Helpers

    /// Changes level `level` in place (for the data-parallel update, in its own file).
    func updateLevel(_ level: Int, _ body: (inout CodebookLevel) throws -> Void) rethrows {
        try body(&levels[level])
    }

    private func checkedLevels(_ count: Int?) -> Int {
        let used = count ?? config.levels
        precondition(
            used >= 1 && used <= config.levels,
            "ResidualVectorQuantizer: levels must be in 1...\(config.levels), got \(used)")
        return used
    }

    /// `sum += q` (when `accumulate`), `residual −= q` with q the level's codes for the residual rows.
    private func subtractAndAccumulate(
        level: Int, codes: [Int32], residual: inout Tensor, sum: inout Tensor,
        accumulate: Bool = true
    ) {
        let d = config.dimension
        let table = levels[level].codebook
        table.withUnsafePointer { t in
            residual.withUnsafeMutablePointer { r in
                sum.withUnsafeMutablePointer { s in
                    for (i, code) in codes.enumerated() {
                        let row = i * d, c = Int(code) * d
                        for j in 0..<d {
                            if accumulate { s[row + j] += t[c + j] }
                            r[row + j] -= t[c + j]
                        }
                    }
                }
            }
        }
    }

    /// Per-level code lists (each in (n, h, w) order) as one [N, L, H, W] array.
    private static func interleave(_ perLevel: [[Int32]], count n: Int, positions: Int) -> [Int32] {
        let l = perLevel.count
        var out = [Int32](repeating: 0, count: n * l * positions)
        for level in 0..<l {
            for image in 0..<n {
                for p in 0..<positions {
                    out[(image * l + level) * positions + p] = perLevel[level][image * positions + p]
                }
            }
        }
        return out
    }
}
