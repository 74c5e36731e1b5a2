/// Settings of the multi-scale sliced Wasserstein distance. The defaults are those of Karras et
/// al. 2018 (ProGAN) and its published code: 7×7 patches, 128 per image per level, 4 repeats of
/// 128 random directions (512 in all), levels down to 16 px.
public struct SlicedWassersteinOptions: Codable, Equatable, Sendable {
    /// Side of the square patches (odd).
    public var patchSize = 7
    public var patchesPerImage = 128
    /// Directions are drawn in `directionRepeats` batches of `directionsPerRepeat`; the result
    /// averages over all of them (the mean over repeats of the mean over directions).
    public var directionRepeats = 4
    public var directionsPerRepeat = 128
    /// Pyramid levels are kept while the image side is at least this (ProGAN: 16).
    public var minimumResolution = 16
    /// Seeds the patch positions and the directions.
    public var seed: UInt64 = 0

    public init(
        patchSize: Int = 7, patchesPerImage: Int = 128, directionRepeats: Int = 4,
        directionsPerRepeat: Int = 128, minimumResolution: Int = 16, seed: UInt64 = 0
    ) {
        self.patchSize = patchSize
        self.patchesPerImage = patchesPerImage
        self.directionRepeats = directionRepeats
        self.directionsPerRepeat = directionsPerRepeat
        self.minimumResolution = minimumResolution
        self.seed = seed
    }

    public var directionCount: Int { directionRepeats * directionsPerRepeat }

    func validate() throws {
        func bad(_ message: String) -> ImageMetricsError {
            ImageMetricsError(.invalidOption, "sliced Wasserstein: " + message)
        }
        guard patchSize >= 1, patchSize % 2 == 1 else {
            throw bad("patch size must be odd and positive, not \(patchSize)")
        }
        guard patchesPerImage >= 1 else { throw bad("patches per image must be positive, not \(patchesPerImage)") }
        guard directionRepeats >= 1, directionsPerRepeat >= 1 else {
            throw bad("needs at least one direction, got \(directionRepeats) × \(directionsPerRepeat)")
        }
        guard minimumResolution >= patchSize else {
            throw bad("minimum resolution \(minimumResolution) is smaller than the patch size \(patchSize)")
        }
    }
}

/// The distance per pyramid level and their mean, all ×10³ as ProGAN reports them.
public struct SlicedWassersteinResult: Codable, Equatable, Sendable {
    /// The image side of each level, finest first (128, 64, 32, 16 for 128 px images).
    public var resolutions: [Int]
    /// Distance ×10³ per level, in the order of `resolutions`.
    public var perLevel: [Double]
    /// Mean of `perLevel`.
    public var mean: Double

    public init(resolutions: [Int], perLevel: [Double]) {
        self.resolutions = resolutions
        self.perLevel = perLevel
        self.mean = perLevel.isEmpty ? 0 : perLevel.reduce(0, +) / Double(perLevel.count)
    }
}
