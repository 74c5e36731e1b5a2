import Datasets
import Foundation
import TensorCore
import VQVAE

/// The images the saved model's codebooks are refitted to (`CodebookRefit`): a class-balanced
/// sample of training images, centre crops, read in batches.
enum SavedCodebooks {
    /// Refits `model`'s codebooks to its encoder as it is now; returns a line saying what was done.
    static func refit(_ model: RVQAutoencoder, cache: DatasetCache, subsets: Set<DatasetSubset>, seed: UInt64) throws
        -> String
    {
        let rows = ClassBalancedSample.rows(of: cache, subsets: subsets, limit: CodebookRefit.sampleLimit, seed: seed)
            .sorted()
        guard !rows.isEmpty else { return "codebooks not refitted: no training images\n" }
        let refit = try CodebookRefit.refit(model) { body in
            try SequentialReader(cache: cache, rows: rows, batchSize: 32).forEach { try body($0.images) }
        }
        return "codebooks refitted to the saved (EMA) encoder's latents of \(refit.images) training images "
            + "(Lloyd iterations per level: \(refit.iterations.map(String.init).joined(separator: ", ")))\n"
    }
}
