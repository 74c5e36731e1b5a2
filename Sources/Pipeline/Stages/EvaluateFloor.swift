import Datasets
import Foundation
import ImageMetrics
import TensorCore

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
    static func standIns(
        count: Int, generated: EvaluationImages, real: EvaluationImages, options: EvaluateStage.Options
    )
        throws -> (images: EvaluationImages?, reason: String?)
    {
        guard real.kind.hasPrefix("dataset cache") else {
            return (nil, "the real images are not a dataset cache with other subsets to draw from")
        }
        guard !generated.kind.hasPrefix("dataset cache") else {
            return (nil, "the generated images are real ones already")
        }
        let others = Set(DatasetSubset.allCases).subtracting(options.realSubsets)
        let cache = URL(fileURLWithPath: real.path)
        if let images = try realImages(
            cache, subsets: others, count: count, seed: options.seed,
            height: real.set.height, width: real.set.width)
        {
            return (images, nil)
        }
        let available = try DatasetCache.open(cache).rows(in: others).count
        let names = others.map(\.description).sorted().joined(separator: "+")
        return (nil, "the \(names) subset(s) hold \(available) images, fewer than the \(count) generated")
    }

    /// `count` rows of the cache's `subsets`, chosen with a seed derived from `seed` (not the one
    /// the evaluated sets were chosen with), at `width`×`height`; nil when the subsets hold fewer.
    /// Shared by `evaluate` and train-flow's evaluation, so both floors are drawn alike.
    static func realImages(
        _ cache: URL, subsets: Set<DatasetSubset>, count: Int, seed: UInt64,
        height: Int, width: Int
    ) throws -> EvaluationImages? {
        guard try DatasetCache.open(cache).rows(in: subsets).count >= count else { return nil }
        var images = try EvaluateImageLoader.loadCache(
            cache, subsets: subsets, maxImages: count, seed: seed &+ RandomStream.evaluationFloorImages.salt)
        if images.set.height != height || images.set.width != width {
            images = try EvaluateStage.matchSize(images, height: height, width: width)
        }
        return images
    }
}
