import FileFormats
import Foundation

/// Everything the ablation report (`reports/ablations/`) holds: per variant, each seed's numbers
/// and their mean ± spread over seeds, and the differences to the baseline paired by seed.
public struct AblationReport: Codable, Equatable, Sendable {
    /// One trained, sampled and evaluated model.
    public struct SeedResult: Codable, Equatable, Sendable {
        /// Training and data seed.
        public var seed: UInt64
        /// What was done: "reused"/"trained"/"resumed" (model), "reused"/"generated" (samples)…
        public var actions: [String: String]
        public var swdMean: Double
        public var swdPerLevel: [Double]
        /// The image-statistics kernel distance.
        public var iskd: Double
        public var trainingSteps: Int
        public var trainingSeconds: Double
        public var finalLoss: Double?
    }

    /// One variant: its seeds and their summary.
    public struct Row: Codable, Equatable, Sendable {
        public var variant: AblationVariant
        public var change: String
        public var seeds: [SeedResult]
        public var swdMean: SeedSpread
        /// One per `AblationReport.swdResolutions`.
        public var swdPerLevel: [SeedSpread]
        public var iskd: SeedSpread
        /// Variant minus baseline, seed by seed, then mean ± spread (nil for the baseline).
        public var swdMeanDifference: SeedSpread?
        public var swdPerLevelDifference: [SeedSpread]?
        public var iskdDifference: SeedSpread?
        public var trainingSteps: SeedSpread
        public var trainingSeconds: SeedSpread
        public var finalLoss: SeedSpread

        init(variant: AblationVariant, seeds: [SeedResult], levels: Int, baseline: [SeedResult]?) {
            self.variant = variant
            change = variant.change
            self.seeds = seeds
            func level(_ result: SeedResult, _ index: Int) -> Double {
                index < result.swdPerLevel.count ? result.swdPerLevel[index] : .nan
            }
            swdMean = SeedSpread(seeds.map(\.swdMean))
            swdPerLevel = (0..<levels).map { index in SeedSpread(seeds.map { level($0, index) }) }
            iskd = SeedSpread(seeds.map(\.iskd))
            trainingSteps = SeedSpread(seeds.map { Double($0.trainingSteps) })
            trainingSeconds = SeedSpread(seeds.map(\.trainingSeconds))
            finalLoss = SeedSpread(seeds.map { $0.finalLoss ?? .nan })
            if let baseline, variant != .baseline {
                // Paired by seed: the same seed shares data order and noise with its baseline.
                let pairs = seeds.compactMap { result in baseline.first { $0.seed == result.seed }.map { (result, $0) }
                }
                swdMeanDifference = SeedSpread(pairs.map { $0.0.swdMean - $0.1.swdMean })
                swdPerLevelDifference = (0..<levels).map { index in
                    SeedSpread(pairs.map { level($0.0, index) - level($0.1, index) })
                }
                iskdDifference = SeedSpread(pairs.map { $0.0.iskd - $0.1.iskd })
            }
        }
    }

    public var run: String
    public var createdAt: String
    public var space: TrainFlowStage.Space
    public var seedCount: Int
    public var minutesBudget: Double?
    public var stepsBudget: Int?
    public var sampler: String
    public var guidance: Float
    public var sampleSeed: UInt64
    public var count: Int
    public var swdResolutions: [Int]
    public var rows: [Row]

    public static let jsonFile = "report.json"
    public static let markdownFile = "report.md"
    public static let htmlFile = "report.html"

    /// `report.json`'s bytes; non-finite numbers as the strings "nan", "inf", "-inf".
    public func jsonData() throws -> Data {
        try NonFiniteJSON.encoder().encode(self) + Data("\n".utf8)
    }

    /// Keys of reports written before the kernel distance was named for its features.
    static let legacyKeys = ["kid": "iskd", "kidDifference": "iskdDifference"]

    /// Reads `report.json` as `jsonData()` wrote it (or an older version, see `legacyKeys`).
    public static func read(from url: URL) throws -> AblationReport {
        do {
            return try NonFiniteJSON.decoder().decode(
                AblationReport.self, from: LegacyJSONKeys.renaming(legacyKeys, in: Data(contentsOf: url)))
        } catch {
            throw StageError("\(url.path): not a readable ablation report (\(error))")
        }
    }
}
