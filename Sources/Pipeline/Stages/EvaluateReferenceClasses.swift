import Datasets
import FileFormats
import Foundation

/// Which classes of the real images `evaluate` scores generated ones against: those the samples
/// were drawn from (`EvaluateSampledClasses`) when the real images are a labelled dataset cache,
/// else all of them — and the sentence that says which.
struct EvaluateReferenceClasses {
    /// The class ids the reference is restricted to; nil: all its images.
    var ids: Set<Int>?
    private var sampled: EvaluateSampledClasses?
    private var isLabelled = false
    /// Why a labelled reference was not restricted to the sampled classes.
    private var reason: String?
    private var subsets: Set<DatasetSubset>

    /// The fewest reference images the metrics can score against (the kernel distance compares
    /// pairs within each set); a restriction leaving fewer is not made.
    static let minimumImages = 2

    static func resolve(
        sampled: EvaluateSampledClasses?, real: URL, subsets: Set<DatasetSubset>
    ) throws -> EvaluateReferenceClasses {
        var result = EvaluateReferenceClasses(sampled: sampled, subsets: subsets)
        guard let sampled, let cache = try datasetCache(at: real) else { return result }
        result.isLabelled = true
        (result.ids, result.reason) = sampled.ids(in: cache.classNames)
        if let ids = result.ids {
            let available = cache.rows(in: subsets).filter { ids.contains(cache.labels[$0]) }.count
            if available < minimumImages {
                result.ids = nil
                result.reason =
                    "the sampled classes have \(available) \(EvaluateImageLoader.subsetNames(subsets)) image(s), "
                    + "too few to score against (at least \(minimumImages)), so the whole reference is used"
            }
        }
        return result
    }

    /// What the reference is, once loaded; nil when no samples' classes were known (nothing to
    /// restrict, nothing to say).
    func describe(_ real: EvaluationImages) -> String? {
        guard let sampled else { return nil }
        let count = sampled.names.count
        let classes = "\(count) sampled class\(count == 1 ? "" : "es")"
        guard isLabelled else {
            let drawn =
                sampled.names.isEmpty
                ? "unconditional" : "of the \(classes)" + (sampled.includesUnconditional ? " and unconditional" : "")
            return "\(real.kind) without labels, used as is (\(real.set.count) images), though the samples are \(drawn)"
        }
        let images = "\(EvaluateImageLoader.subsetNames(subsets)) images"
        guard ids != nil else {
            return "\(images) of every class, \(real.set.count) images: \(reason ?? "")"
        }
        return "\(images) of the \(classes), \(real.set.count) images (classes from \(sampled.sidecar.path))"
    }

    /// The dataset cache at `url` (its folder or its `images.h5`), nil if it is something else.
    private static func datasetCache(at url: URL) throws -> DatasetCache? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue {
            let images = url.appendingPathComponent(DatasetCacheLayout.imagesFile)
            return FileManager.default.fileExists(atPath: images.path) ? try DatasetCache.open(url) : nil
        }
        guard ["h5", "hdf5"].contains(url.pathExtension.lowercased()), let file = try? HDF5File.open(at: url) else {
            return nil
        }
        let isCache = (try? file.attribute("format")) == DatasetCacheLayout.formatName
        file.close()
        return isCache ? try DatasetCache.open(url) : nil
    }
}
