import TensorCore

/// The multi-scale sliced Wasserstein distance of Karras et al. 2018 ("Progressive growing of
/// GANs"), between two sets of images:
///
/// 1. each image's Laplacian pyramid, levels down to `minimumResolution` (128/64/32/16 px for
///    128 px images; the last level is the low-pass residual);
/// 2. per level, `patchesPerImage` random 7×7×3 patches per image, normalised per colour
///    channel with the mean and standard deviation of that set's patches at that level;
/// 3. per level, the patches of both sets are projected on `directionRepeats ×
///    directionsPerRepeat` random unit directions; for each direction the 1-D Wasserstein
///    distance of the two projected samples (sorted, mean absolute difference); averaged over
///    directions, ×10³.
///
/// Sets may differ in size (the 1-D distances then compare quantile functions exactly). The
/// result is a function of the images and `options.seed` only.
public struct SlicedWassersteinDistance: Sendable {
    public let options: SlicedWassersteinOptions

    /// - Throws: `ImageMetricsError.invalidOption` for inconsistent options.
    public init(options: SlicedWassersteinOptions = SlicedWassersteinOptions()) throws {
        try options.validate()
        self.options = options
    }

    /// The side of each pyramid level for images of this size (finest first); empty if the
    /// images are smaller than `minimumResolution`.
    public func resolutions(height: Int, width: Int) -> [Int] {
        var result: [Int] = []
        var side = min(height, width)
        while side >= options.minimumResolution {
            result.append(side)
            side /= 2
        }
        return result
    }

    /// The distance between two sets, level by level (only one level's patches are held at a time).
    /// - Parameter onLevel: called after each level with its index and distance ×10³; an error
    ///   it throws (e.g. to stop early) ends the computation.
    public func distance(
        _ a: ImageSet, _ b: ImageSet,
        onLevel: (Int, Double) throws -> Void = { _, _ in }
    ) throws -> SlicedWassersteinResult {
        try ImageSet.checkComparable(a, b, metric: "the sliced Wasserstein distance")
        let pyramid = try makePyramid(height: a.height, width: a.width)
        var perLevel: [Double] = []
        for level in 0..<pyramid.levels {
            let da = PatchDescriptors.extract(from: a, level: level, pyramid: pyramid, options: options)
            let db = PatchDescriptors.extract(from: b, level: level, pyramid: pyramid, options: options)
            let d = levelDistance(da, db, level: level)
            perLevel.append(d)
            try onLevel(level, d)
        }
        return SlicedWassersteinResult(resolutions: resolutions(height: a.height, width: a.width), perLevel: perLevel)
    }

    /// The patches of every level of `set`, for scoring many sets against one reference
    /// (e.g. held-out images during training) without extracting its patches each time.
    public func reference(_ set: ImageSet) throws -> SlicedWassersteinReference {
        guard set.count > 0 else {
            throw ImageMetricsError(.emptySet, "the sliced Wasserstein reference set has no images")
        }
        let pyramid = try makePyramid(height: set.height, width: set.width)
        let levels = (0..<pyramid.levels).map {
            PatchDescriptors.extract(from: set, level: $0, pyramid: pyramid, options: options)
        }
        return SlicedWassersteinReference(metric: self, height: set.height, width: set.width, levels: levels)
    }

    func makePyramid(height: Int, width: Int) throws -> LaplacianPyramid {
        let levels = resolutions(height: height, width: width).count
        guard levels > 0 else {
            throw ImageMetricsError(
                .tooSmall,
                "the sliced Wasserstein distance needs images of at least \(options.minimumResolution) px, got \(width)×\(height)"
            )
        }
        return LaplacianPyramid(height: height, width: width, levels: levels)
    }

    /// Mean over all directions of the 1-D Wasserstein distance of the projected patches, ×10³.
    func levelDistance(_ a: PatchDescriptors, _ b: PatchDescriptors, level: Int) -> Double {
        precondition(a.dimension == b.dimension, "SWD: descriptor sizes differ")
        let d = a.dimension
        let directions = RandomDirections.make(dimension: d, level: level, options: options)
        let total = options.directionCount
        // Directions in chunks, so the projections of 100k+ patches stay a few tens of MB.
        let chunk = min(total, 64)
        var distances = [Double](repeating: 0, count: total)
        var projectedA = [Float](repeating: 0, count: chunk * a.count)
        var projectedB = [Float](repeating: 0, count: chunk * b.count)
        for start in stride(from: 0, to: total, by: chunk) {
            let j = min(chunk, total - start)
            directions.withUnsafeBufferPointer { dirs in
                let rows = dirs.baseAddress! + start * d
                project(a, rows, j, into: &projectedA)
                project(b, rows, j, into: &projectedB)
            }
            projectedA.withUnsafeMutableBufferPointer { pa in
                projectedB.withUnsafeMutableBufferPointer { pb in
                    distances.withUnsafeMutableBufferPointer { out in
                        let (na, nb) = (a.count, b.count)
                        let (baseA, baseB, result) = (pa.baseAddress!, pb.baseAddress!, out.baseAddress!)
                        parallelChunks(j, minimumPerThread: 1) { range in
                            var sorter = FloatRadixSorter()
                            for k in range {
                                let rowA = baseA + k * na, rowB = baseB + k * nb
                                sorter.sort(rowA, count: na)
                                sorter.sort(rowB, count: nb)
                                result[start + k] = EmpiricalWasserstein.distance(
                                    sorted: rowA, count: na, sorted: rowB, count: nb)
                            }
                        }
                    }
                }
            }
        }
        return distances.reduce(0, +) / Double(total) * 1000
    }

    /// projections[k, n] = direction k · patch n, for `count` directions (one row per direction).
    private func project(
        _ descriptors: PatchDescriptors, _ directions: UnsafePointer<Float>, _ count: Int,
        into projections: inout [Float]
    ) {
        descriptors.values.withUnsafeBufferPointer { patches in
            projections.withUnsafeMutableBufferPointer { out in
                gemm(
                    transposeB: true, m: count, n: descriptors.count, k: descriptors.dimension,
                    a: directions, b: patches.baseAddress!, c: out.baseAddress!)
            }
        }
    }
}

/// The normalised patches of every pyramid level of one image set (see
/// `SlicedWassersteinDistance.reference(_:)`).
public struct SlicedWassersteinReference: Sendable {
    public let metric: SlicedWassersteinDistance
    public let height: Int
    public let width: Int
    let levels: [PatchDescriptors]

    /// The distance from `set` to the reference images (same as `metric.distance(set, reference images)`).
    public func distance(to set: ImageSet, onLevel: (Int, Double) throws -> Void = { _, _ in }) throws
        -> SlicedWassersteinResult
    {
        guard set.count > 0 else {
            throw ImageMetricsError(.emptySet, "the sliced Wasserstein distance needs images, got none")
        }
        guard set.height == height, set.width == width else {
            throw ImageMetricsError(
                .mismatchedSets, "the reference images are \(width)×\(height), these are \(set.width)×\(set.height)")
        }
        let pyramid = try metric.makePyramid(height: height, width: width)
        var perLevel: [Double] = []
        for level in 0..<levels.count {
            let patches = PatchDescriptors.extract(from: set, level: level, pyramid: pyramid, options: metric.options)
            let d = metric.levelDistance(patches, levels[level], level: level)
            perLevel.append(d)
            try onLevel(level, d)
        }
        return SlicedWassersteinResult(
            resolutions: metric.resolutions(height: height, width: width), perLevel: perLevel)
    }
}
