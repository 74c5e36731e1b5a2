import Datasets
import Foundation
import TensorCore
import VQVAE

/// The codebooks of the saved autoencoder, fitted to the encoder it is saved with.
///
/// train-ae saves the EMA of the weights, but the codebooks followed the *raw* encoder's latents
/// during training (their own EMA of the vectors assigned to each code), so the saved encoder's
/// latents would be quantized by codebooks that never saw them. Before the model is saved, the
/// codebooks are refitted, level by level, by Lloyd steps on the saved encoder's latents of a
/// class-balanced sample of training images (centre crops) — starting from the trained codebooks,
/// so that codes keep their places and only move to where this encoder puts its latents. The
/// checkpoint keeps the live codebooks, which go on with the raw encoder if training resumes.
enum CodebookRefit {
    /// Training images encoded for the refit, at most.
    static let sampleLimit = 512
    /// Lloyd iterations per level, at most (they stop once no latent changes its code).
    static let maximumIterations = 100

    /// Refits `model`'s codebooks to the latents of its encoder as it is now (call it with the
    /// weights that are saved); returns a line saying what was done.
    static func refit(_ model: RVQAutoencoder, cache: DatasetCache, subsets: Set<DatasetSubset>, seed: UInt64) throws -> String {
        let rows = ClassBalancedSample.rows(of: cache, subsets: subsets, limit: sampleLimit, seed: seed).sorted()
        guard !rows.isEmpty else { return "codebooks not refitted: no training images\n" }
        var values: [Float] = []
        try SequentialReader(cache: cache, rows: rows, batchSize: 32).forEach { batch in
            values += withoutGradients { model.encodeContinuous(Variable(batch.images)).value }.values
        }
        let latents = Tensor(shape: [rows.count] + model.latentShape, values: values)
        let iterations = model.quantizer.refitCodebooks(to: latents, maximumIterations: maximumIterations)
        return "codebooks refitted to the saved (EMA) encoder's latents of \(rows.count) training images "
            + "(Lloyd iterations per level: \(iterations.map(String.init).joined(separator: ", ")))\n"
    }
}
