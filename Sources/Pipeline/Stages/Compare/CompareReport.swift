import FileFormats
import Foundation

/// Everything `report.json` holds, and what the Markdown and HTML reports are drawn from.
public struct CompareReport: Codable, Equatable, Sendable {
    /// The numbers of one model (latent or pixel).
    public struct SpaceSummary: Codable, Equatable, Sendable {
        public var space: TrainFlowStage.Space
        /// What compare did: "reused" or "trained" (the model), "reused" or "generated" (samples)…
        public var actions: [String: String]
        // Training.
        public var parameters: Int
        public var batchSize: Int
        public var trainingSteps: Int
        public var trainingMinutes: Double
        public var secondsPerStep: Double
        public var trainingImagesPerSecond: Double
        public var finalLoss: Double?
        // Sampling.
        public var sampleCount: Int
        /// Distinct classes the samples were drawn from (nil in reports of older versions).
        public var sampleClassCount: Int?
        /// Network passes per sample (NFE: a guided evaluation of the field is two).
        public var nfe: Int
        /// Seconds integrating the ODE, and decoding latents to images (0 for pixels).
        public var samplingSeconds: Double
        public var decodeSeconds: Double
        /// Images per second of sampling plus decoding.
        public var samplingImagesPerSecond: Double
        // Evaluation.
        public var swdResolutions: [Int]
        public var swdPerLevel: [Double]
        public var swdMean: Double
        /// The image-statistics kernel distance (`kid` in reports written before it was named so).
        public var iskd: Double
        public var iskdStandardDeviation: Double
        /// What `iskdStandardDeviation` is: the SD over this many subsets of this many images
        /// (nil in reports of older versions).
        public var iskdSubsets: Int?
        public var iskdSubsetSize: Int?
        public var pixelJensenShannon: Double
        public var pixelWasserstein: Double
        public var pixelMMD: Double
        public var standardDeviationDifference: Double
        public var evaluatedImages: Int
        public var realImages: Int
        /// SWD of real images in place of the samples, at the same counts (`SamplingFloor`),
        /// per level and mean; nil when not measured.
        public var swdFloorPerLevel: [Double]?
        public var swdFloorMean: Double?
        /// The floor of the SWD logged during training (its sample and reference counts), nil
        /// without one.
        public var trainingSWDFloor: Double?
        /// The grid, relative to the report folder.
        public var grid: String?
        public var curves: TrainingCurves

        /// Seconds of sampling plus decoding per image.
        public var secondsPerImage: Double { (samplingSeconds + decodeSeconds) / Double(max(sampleCount, 1)) }
    }

    public var run: String
    public var createdAt: String
    public var minutesBudget: Double?
    public var sampler: String
    public var guidance: Float
    /// Times at which the guidance applied (nil: all).
    public var guidanceInterval: ClosedRange<Float>?
    public var seed: UInt64
    public var count: Int
    public var latent: SpaceSummary
    public var pixel: SpaceSummary

    public static let jsonFile = "report.json"

    /// `report.json`'s bytes. A number that is not finite (a rate of a zero-length run, a
    /// metric that failed) is written as the string "nan", "inf" or "-inf" rather than failing.
    public func jsonData() throws -> Data {
        try NonFiniteJSON.encoder().encode(self) + Data("\n".utf8)
    }

    /// Keys of reports written before the kernel distance was named for its features.
    static let legacyKeys = ["kid": "iskd", "kidStandardDeviation": "iskdStandardDeviation"]

    /// Reads `report.json` as `jsonData()` wrote it (or an older version, see `legacyKeys`).
    public static func read(from url: URL) throws -> CompareReport {
        do {
            return try NonFiniteJSON.decoder().decode(
                CompareReport.self, from: LegacyJSONKeys.renaming(legacyKeys, in: Data(contentsOf: url)))
        } catch {
            throw StageError("\(url.path): not a readable compare report (\(error))")
        }
    }
    public static let markdownFile = "report.md"
    public static let htmlFile = "report.html"
    public static let lossChartFile = "loss.svg"
    public static let swdChartFile = "swd.svg"
}
