import Foundation
import LatentFlow

/// One ablation of the flow trainer: the baseline configuration with a single option flipped.
///
/// The baseline is what compare trains by default: linear path, logit-normal time sampling,
/// no OT pairing, EMA on. Each other variant changes exactly one of these, so a difference
/// to the baseline is the effect of that option alone.
public enum AblationVariant: String, CaseIterable, Codable, Sendable {
    case baseline
    case cosinePath = "cosine-path"
    case uniformTime = "uniform-time"
    case optimalTransport = "ot"
    case noEMA = "no-ema"

    /// What the variant changes, for the report.
    public var change: String {
        switch self {
        case .baseline: return "linear path, logit-normal time, no OT, EMA on"
        case .cosinePath: return "cosine path"
        case .uniformTime: return "uniform time sampling"
        case .optimalTransport: return "minibatch OT pairing"
        case .noEMA: return "no EMA"
        }
    }

    /// The baseline form of `config` (its other settings kept): the four ablated options at
    /// their baseline values. An EMA decay the user chose is kept; none becomes the default.
    public static func baseline(of config: FlowTrainingConfig) -> FlowTrainingConfig {
        var config = config
        let defaults = FlowTrainingConfig()
        config.path = .linear
        if case .uniform = config.timeSampling.distribution {
            config.timeSampling = TimeSampling(defaults.timeSampling.distribution, shift: config.timeSampling.shift)
        }
        config.optimalTransport = false
        config.emaDecay = config.emaDecay ?? defaults.emaDecay
        return config
    }

    /// The variant's configuration: the baseline of `config` with this variant's option flipped.
    public func apply(to config: FlowTrainingConfig) -> FlowTrainingConfig {
        var config = Self.baseline(of: config)
        switch self {
        case .baseline: break
        case .cosinePath: config.path = .cosine
        case .uniformTime: config.timeSampling = TimeSampling(.uniform, shift: config.timeSampling.shift)
        case .optimalTransport: config.optimalTransport = true
        case .noEMA: config.emaDecay = nil
        }
        return config
    }

    /// Why a trained configuration is not this variant of `config` (nil: it is). Only the
    /// ablated options and the seed are compared; the rest is compare's business.
    func mismatch(trained: FlowTrainingConfig, expected: FlowTrainingConfig) -> String? {
        var differences: [String] = []
        if trained.path != expected.path { differences.append("path \(trained.path.rawValue)") }
        if trained.timeSampling != expected.timeSampling { differences.append("other time sampling") }
        if trained.optimalTransport != expected.optimalTransport {
            differences.append("OT \(trained.optimalTransport ? "on" : "off")")
        }
        if trained.emaDecay != expected.emaDecay {
            differences.append("EMA \(trained.emaDecay.map { "\($0)" } ?? "off")")
        }
        if trained.seed != expected.seed { differences.append("seed \(trained.seed)") }
        return differences.isEmpty ? nil : differences.joined(separator: ", ")
    }

    /// The variants named in `words` (commas or separate words, as a YAML list arrives), in
    /// the order given, without repeats, with `baseline` first whether named or not. An unknown
    /// name is an error listing the known ones.
    public static func parse(_ words: [String]) throws -> [AblationVariant] {
        var variants: [AblationVariant] = []
        for name in words.joined(separator: ",").split(separator: ",") {
            let text = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard !text.isEmpty else { continue }
            guard let variant = AblationVariant(rawValue: text) else {
                throw StageError(
                    "--variants: unknown variant '\(text)'; known: "
                        + allCases.map(\.rawValue).joined(separator: ", "))
            }
            variants.append(variant)
        }
        return normalized(variants)
    }

    /// `variants` with `baseline` first and no repeats, otherwise in the order given.
    static func normalized(_ variants: [AblationVariant]) -> [AblationVariant] {
        variants.reduce(into: [.baseline]) { list, variant in
            if !list.contains(variant) { list.append(variant) }
        }
    }
}
