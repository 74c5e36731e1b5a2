import Datasets
import Foundation
import ImageMetrics

/// The sampling floor of an evaluation: the same metrics between two sets of *real* images at
/// the evaluation's counts — as many real images from outside the held-out subsets as there are
/// generated ones, against the same held-out images, with the same seed (so the same patches per
/// image and the same projections).
///
/// Why: SWD and KID of finite sets do not reach zero even for one distribution, and their floor
/// grows as the sets shrink. On Oxford, real against real scores a mean SWD of ~8 with 1,020
/// images on each side but ~17–21 with 204; a generated set's score means little without it.
public struct SamplingFloor: Codable, Equatable, Sendable {
    /// The real images that stood in for the generated ones.
    public var images: EvaluateMetrics.Source
    public var report: GeneratedImageEvaluation.Report
}

enum EvaluateFloor {
    /// Real images for the floor: `count` rows of the cache at `real`'s path from the subsets
    /// neither set was read from, chosen with `seed`; nil and the reason when there are none.
    static func standIns(count: Int, generated: EvaluationImages, real: EvaluationImages, options: EvaluateStage.Options)
        throws -> (images: EvaluationImages?, reason: String?) {
        guard real.kind.hasPrefix("dataset cache") else {
            return (nil, "the real images are not a dataset cache with other subsets to draw from")
        }
        guard !generated.kind.hasPrefix("dataset cache") else {
            return (nil, "the generated images are real ones already")
        }
        let others = Set(DatasetSubset.allCases).subtracting(options.realSubsets)
        let cache = try DatasetCache.open(URL(fileURLWithPath: real.path))
        let available = cache.rows(in: others).count
        let names = others.map(\.description).sorted().joined(separator: "+")
        guard available >= count else {
            return (nil, "the \(names) subset(s) hold \(available) images, fewer than the \(count) generated")
        }
        var images = try EvaluateImageLoader.loadCache(URL(fileURLWithPath: real.path), subsets: others,
                                                       maxImages: count, seed: options.seed &+ 2)
        if images.set.height != real.set.height || images.set.width != real.set.width {
            images = try EvaluateStage.matchSize(images, height: real.set.height, width: real.set.width)
        }
        return (images, nil)
    }
}
