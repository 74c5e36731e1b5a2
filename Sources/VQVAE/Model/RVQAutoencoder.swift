import TensorCore

/// What one training forward pass produced.
public struct RVQTrainingForward {
    /// The encoder's continuous latents [N, C, h, w].
    public var latents: Variable
    /// The decoded images [N, 3, H, W] (from the quantized latents, or the continuous ones
    /// while the quantizer is bypassed).
    public var reconstruction: Variable
    /// β·mean((z − sg(q))²); zero when the quantizer is bypassed.
    public var commitmentLoss: Variable
    /// Levels decoded (0: quantizer bypassed).
    public var levelsUsed: Int
    /// Codes [N, L, h, w] of all levels (empty when bypassed).
    public var codes: [Int32]
    /// Codes re-seeded per level in this pass.
    public var restartedCodes: [Int]
}

/// The image tokenizer: the `ConvAutoencoder` backbone (128×128×3 → 16×16×4 by default) with a
/// residual vector quantizer between encoder and decoder.
///
/// Parameters keep the backbone's names (`enc.…`, `dec.…`); the quantizer's codebooks are
/// buffers named `rvq.…`. Inference methods run without recording gradients.
public final class RVQAutoencoder: Module {
    public let config: RVQAutoencoderConfig
    public let backbone: ConvAutoencoder
    public let quantizer: ResidualVectorQuantizer

    public init(_ config: RVQAutoencoderConfig = RVQAutoencoderConfig(), generator: inout SeededGenerator) {
        precondition(config.problems.isEmpty, "RVQAutoencoder: \(config.problems.joined(separator: "; "))")
        self.config = config
        backbone = ConvAutoencoder(config.autoencoder, generator: &generator)
        quantizer = ResidualVectorQuantizer(config.quantizer)
        super.init()
        register(backbone.encoder, as: "enc")
        register(backbone.decoder, as: "dec")
    }

    /// [C, side, side] of one image's latents.
    public var latentShape: [Int] { config.latentShape }

    // MARK: Public API

    /// Continuous latents [N, C, h, w] of images [N, 3, H, W] in [-1, 1] (differentiable).
    public func encodeContinuous(_ images: Variable) -> Variable { backbone.encode(images) }

    /// Quantizes latents with the first `levels` levels (all when nil): the quantized latents
    /// and the codes [N, levels, h, w].
    public func quantize(_ latents: Tensor, levels: Int? = nil) -> (quantized: Tensor, codes: [Int32]) {
        quantizer.quantize(latents, levels: levels)
    }

    /// Images [N, 3, H, W] from latents (continuous or quantized; differentiable).
    public func decode(_ latents: Variable) -> Variable { backbone.decode(latents) }

    /// Images from codes [count, L, h, w] alone, using the first `levels` of the L planes.
    /// - Throws: `QuantizerError` for codes that do not fit the quantizer.
    public func decode(codes: [Int32], count: Int, levels: Int? = nil) throws -> Tensor {
        let side = config.latentSide
        let latents = try quantizer.dequantize(codes: codes, count: count, height: side, width: side, levels: levels)
        return withoutGradients { decode(Variable(latents)).value }
    }

    /// The latents moved to the nearest point the quantizer can represent with all levels
    /// (the sum of the greedily chosen codes): for snapping generated latents onto the lattice.
    public func nearestCodebookSnap(_ latents: Tensor) -> Tensor { quantizer.quantize(latents).quantized }

    /// Codes [N, L, h, w] of images (all levels unless `levels` is given).
    public func encode(_ images: Tensor, levels: Int? = nil) -> [Int32] {
        let latents = withoutGradients { encodeContinuous(Variable(images)).value }
        return quantizer.quantize(latents, levels: levels).codes
    }

    /// Reconstructions of images without gradients: through the continuous latents when
    /// `levels` is nil, else through the first `levels` quantizer levels.
    public func reconstruct(_ images: Tensor, levels: Int?) -> Tensor {
        withoutGradients {
            let latents = encodeContinuous(Variable(images)).value
            let input = levels.map { quantizer.quantize(latents, levels: $0).quantized } ?? latents
            return decode(Variable(input)).value
        }
    }

    // MARK: Training

    /// One training pass: encode, quantize (updating the codebooks, see
    /// `ResidualVectorQuantizer.trainingStep`) unless `bypassQuantizer`, decode.
    public func trainingForward(
        _ images: Variable, generator: inout SeededGenerator,
        bypassQuantizer: Bool = false
    ) -> RVQTrainingForward {
        trainingForward(images, bypassQuantizer: bypassQuantizer) {
            quantizer.trainingStep($0, generator: &generator)
        }
    }

    /// The training pass with the quantizer's training step given by `quantize` (alone, or shared
    /// by data-parallel ranks).
    func trainingForward(
        _ images: Variable, bypassQuantizer: Bool,
        quantize: (Variable) throws -> QuantizerTrainingOutput
    ) rethrows -> RVQTrainingForward {
        let latents = encodeContinuous(images)
        if bypassQuantizer {
            return RVQTrainingForward(
                latents: latents, reconstruction: decode(latents),
                commitmentLoss: Variable(Tensor(scalar: 0)), levelsUsed: 0, codes: [],
                restartedCodes: Array(repeating: 0, count: config.quantizer.levels))
        }
        let q = try quantize(latents)
        return RVQTrainingForward(
            latents: latents, reconstruction: decode(q.quantized), commitmentLoss: q.commitmentLoss,
            levelsUsed: q.levelsUsed, codes: q.codes, restartedCodes: q.restartedCodes)
    }

    /// A training pass of the decoder alone: the frozen encoder's latents through the frozen
    /// quantizer (all levels, codebooks unchanged, the latents the latent cache holds), decoded
    /// with gradients for the decoder only. No commitment loss: the encoder does not learn.
    public func decoderTrainingForward(_ images: Tensor) -> RVQTrainingForward {
        let latents = withoutGradients { encodeContinuous(Variable(images)).value }
        let q = quantizer.quantize(latents)
        return RVQTrainingForward(
            latents: Variable(latents), reconstruction: decode(Variable(q.quantized)),
            commitmentLoss: Variable(Tensor(scalar: 0)), levelsUsed: config.quantizer.levels,
            codes: q.codes, restartedCodes: Array(repeating: 0, count: config.quantizer.levels))
    }

    /// The decoder's parameters (`dec.…`), the ones `decoderTrainingForward` trains.
    public func decoderParameters() -> [NamedParameter] {
        namedParameters().filter { $0.name.hasPrefix("dec.") }
    }
}
