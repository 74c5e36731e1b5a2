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
/// grows as the sets shrink; a generated set's score means little without it. The figure depends
/// on the protocol: docs/evaluation.md gives Oxford's mean SWD floor as 7.8 with 1,020 images on
/// each side (10.1 when the stand-ins were a uniform draw, not of the reference's class mix).
public struct SamplingFloor: Codable, Equatable, Sendable {
    /// The real images that stood in for the generated ones.
    public var images: EvaluateMetrics.Source
    public var report: GeneratedImageEvaluation.Report
}

enum EvaluateFloor {
    /// The floor's stand-ins, or why there are none, and anything the user should know about them.
    struct StandIns {
        var images: EvaluationImages?
        var reason: String?
        var notes: [String] = []
    }

    /// Real images for the floor: `count` rows of the cache at `real`'s path from the subsets
    /// neither set was read from, chosen with `seed` class by class so that their class mix is
    /// the reference's (and so only of the reference's classes: the sampled ones when it was
    /// restricted to them); none, with the reason, when there are not enough.
    ///
    /// Why class by class: the other subsets of a cache need not mix the classes as the held-out
    /// one does (Oxford's train+test: 20–238 images per class, its validation split 10 each);
    /// stand-ins drawn uniformly from them would score the difference of class mixes as well,
    /// and the floor would be too high.
    static func standIns(
        count: Int, generated: EvaluationImages, real: EvaluationImages, options: EvaluateStage.Options
    ) throws -> StandIns {
        guard real.kind.hasPrefix("dataset cache"), let referenceLabels = real.labels else {
            return StandIns(reason: "the real images are not a dataset cache with other subsets to draw from")
        }
        guard !generated.kind.hasPrefix("dataset cache") else {
            return StandIns(reason: "the generated images are real ones already")
        }
        let others = Set(DatasetSubset.allCases).subtracting(options.realSubsets)
        let names = EvaluateImageLoader.subsetNames(others)
        let cache = try DatasetCache.open(URL(fileURLWithPath: real.path))
        let histogram = Dictionary(referenceLabels.map { ($0, 1) }, uniquingKeysWith: +)
        let candidates = cache.rows(in: others).map { (row: $0, label: cache.labels[$0]) }
            .filter { histogram[$0.label] != nil }
        guard
            let matched = ClassBalancedSample.rows(
                candidates, matching: histogram, count: count,
                seed: options.seed &+ RandomStream.evaluationFloorImages.salt)
        else {
            let which = real.classes == nil ? "" : " of the \(histogram.count) sampled classes"
            return StandIns(
                reason:
                    "the \(names) subset(s) hold \(candidates.count) images\(which), fewer than the \(count) generated")
        }
        var images = try EvaluateImageLoader.cacheImages(
            cache, rows: matched.rows, kind: "dataset cache (\(names))", available: candidates.count)
        images.classes = real.classes
        if images.set.height != real.set.height || images.set.width != real.set.width {
            images = try EvaluateStage.matchSize(images, height: real.set.height, width: real.set.width)
        }
        let notes = matched.shortfalls.map {
            "class \"\(cache.classNames[$0.label])\" has \($0.available) stand-in(s) in \(names), fewer than its "
                + "share \($0.wanted) of the reference's class mix; the other classes made up the difference"
        }
        images.notes += notes
        return StandIns(images: images, notes: notes)
    }

    /// `count` rows of the cache's `subsets`, chosen with a seed derived from `seed` (not the one
    /// the evaluated sets were chosen with), at `width`×`height`; nil when the subsets hold fewer.
    /// Train-flow's floor. With `classes` (a conditional model's samples: one class per sample)
    /// the rows match their class mix, as `standIns` does for `evaluate`: Oxford's train+test
    /// holds 20–238 images per class while the samples spread evenly over the classes, and a
    /// uniform draw would score that difference too. Without (an unconditional model, which
    /// learns the subsets' own mix) they are drawn uniformly.
    static func realImages(
        _ cache: URL, subsets: Set<DatasetSubset>, classes: [Int]?, count: Int, seed: UInt64,
        height: Int, width: Int
    ) throws -> EvaluationImages? {
        let opened = try DatasetCache.open(cache)
        let available = opened.rows(in: subsets)
        guard available.count >= count else { return nil }
        let floorSeed = seed &+ RandomStream.evaluationFloorImages.salt
        var images: EvaluationImages
        if let classes {
            let histogram = Dictionary(classes.map { ($0, 1) }, uniquingKeysWith: +)
            let candidates = available.map { (row: $0, label: opened.labels[$0]) }
            guard let matched = ClassBalancedSample.rows(candidates, matching: histogram, count: count, seed: floorSeed)
            else { return nil }
            let names = EvaluateImageLoader.subsetNames(subsets)
            images = try EvaluateImageLoader.cacheImages(
                opened, rows: matched.rows, kind: "dataset cache (\(names))", available: available.count)
        } else {
            images = try EvaluateImageLoader.loadCache(cache, subsets: subsets, maxImages: count, seed: floorSeed)
        }
        if images.set.height != height || images.set.width != width {
            images = try EvaluateStage.matchSize(images, height: height, width: width)
        }
        return images
    }
}
