import Foundation

/// Everything `pipeline evaluate` measures between generated and reference (held-out real)
/// images, with one seed for all of it.
public struct GeneratedImageEvaluation {
    public struct Options: Codable, Equatable, Sendable {
        public var seed: UInt64 = 0
        public var slicedWasserstein = SlicedWassersteinOptions()
        /// The image-statistics kernel distance (ISKD; see `KernelDistance`).
        public var imageStatisticsKernelDistance = KernelDistanceOptions()
        public var pixels = PixelDistributionOptions()

        /// Every metric's seed set to `seed`.
        public init(seed: UInt64 = 0) {
            self.seed = seed
            slicedWasserstein.seed = seed
            imageStatisticsKernelDistance.seed = seed
            pixels.seed = seed
        }
    }

    /// The metrics and what they were computed on.
    public struct Report: Codable, Equatable, Sendable {
        /// Keys of documents written before the kernel distance was named for its features.
        public static let legacyKeys = ["kernelDistance": "imageStatisticsKernelDistance", "kid": "iskd"]

        public var generatedCount: Int
        public var referenceCount: Int
        public var height: Int
        public var width: Int
        public var options: Options
        public var slicedWasserstein: SlicedWassersteinResult
        /// The image-statistics kernel distance (ISKD): KID's estimator on the project's own
        /// image-statistics features, not on Inception features (so not comparable with a KID).
        public var imageStatisticsKernelDistance: KernelDistanceResult
        public var pixels: PixelDistributionResult
        /// Seconds per metric ("swd", "iskd", "pixels").
        public var seconds: [String: Double]
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Thrown by `evaluate` when `shouldStop` asks it to stop.
    public struct Stopped: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "evaluation stopped before it finished" }
    }

    /// Computes every metric. `log` receives a line as each part finishes; `shouldStop` is asked
    /// between parts (and between SWD levels), and a `true` ends the evaluation with `Stopped`.
    public func evaluate(
        generated: ImageSet, reference: ImageSet, log: (String) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> Report {
        try ImageSet.checkComparable(generated, reference, metric: "evaluation")
        var seconds: [String: Double] = [:]
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = Date()
            let value = try body()
            seconds[name] = Date().timeIntervalSince(start)
            return value
        }
        let swdMetric = try SlicedWassersteinDistance(options: options.slicedWasserstein)
        let resolutions = swdMetric.resolutions(height: reference.height, width: reference.width)
        let swd = try timed("swd") {
            try swdMetric.distance(generated, reference) { level, value in
                log(String(format: "SWD ×10³ at %d px: %.2f", resolutions[level], value))
                if shouldStop() { throw Stopped() }
            }
        }
        log(String(format: "SWD ×10³ mean: %.2f (%.1f s)", swd.mean, seconds["swd"] ?? 0))
        if shouldStop() { throw Stopped() }
        let iskd = try timed("iskd") {
            try KernelDistance.distance(generated, reference: reference, options: options.imageStatisticsKernelDistance)
        }
        log(
            String(
                format: "ISKD ×10³: %.3f ± %.3f (%.1f s)", iskd.value * 1000, iskd.standardDeviation * 1000,
                seconds["iskd"] ?? 0))
        if shouldStop() { throw Stopped() }
        let pixels = try timed("pixels") {
            try PixelDistributionMetrics.compare(generated, reference: reference, options: options.pixels)
        }
        log(String(format: "pixel metrics (%.1f s)", seconds["pixels"] ?? 0))
        return Report(
            generatedCount: generated.count, referenceCount: reference.count,
            height: reference.height, width: reference.width, options: options,
            slicedWasserstein: swd, imageStatisticsKernelDistance: iskd, pixels: pixels, seconds: seconds)
    }
}
