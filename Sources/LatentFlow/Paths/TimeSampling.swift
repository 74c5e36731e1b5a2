import Foundation
import TensorCore

/// How training draws the time of each sample.
public struct TimeSampling: Codable, Equatable, Sendable {
    public enum Distribution: Codable, Equatable, Sendable {
        /// t ~ U(0, 1).
        case uniform
        /// t = sigmoid(u), u ~ N(mean, std²) (Esser et al. 2024): most samples in the middle,
        /// where the velocity is hardest to predict.
        case logitNormal(mean: Float, std: Float)
    }

    public var distribution: Distribution
    /// `TimeWarp` shift applied after drawing (1: none).
    public var shift: Float
    /// Fraction of the times drawn uniformly instead (before the shift), so that the ends of the
    /// interval, which logit-normal(0, 1) almost never draws (0.3 % of its times fall in t ≤ 0.05
    /// or t ≥ 0.95) while a sampler evaluates the network there, are trained too (0: none).
    public var uniformFraction: Float

    public init(_ distribution: Distribution = .uniform, shift: Float = 1, uniformFraction: Float = 0) {
        self.distribution = distribution
        self.shift = shift
        self.uniformFraction = uniformFraction
    }

    /// The logit-normal's mean and deviation: this distribution's, or the standard (0, 1) when
    /// it is uniform (what a command offers as the defaults of those options).
    public var logitNormalParameters: (mean: Float, std: Float) {
        if case .logitNormal(let mean, let std) = distribution { return (mean, std) }
        return (0, 1)
    }

    /// Throws a `FlowTrainingError` naming the setting at fault.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw FlowTrainingError(message) } }
        try check(shift > 0 && shift.isFinite, "time shift must be positive, got \(shift)")
        try check((0...1).contains(uniformFraction), "uniform time fraction must be in [0, 1], got \(uniformFraction)")
        if case .logitNormal(_, let std) = distribution {
            try check(std > 0 && std.isFinite, "logit-normal std must be positive, got \(std)")
        }
    }

    public static let uniform = TimeSampling(.uniform)
    public static let logitNormal = TimeSampling(.logitNormal(mean: 0, std: 1))

    /// `count` times in [0, 1], drawn from `generator`.
    public func sample(_ count: Int, generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in
            let t: Float
            // Without a uniform fraction nothing extra is drawn: the stream (and every run made
            // before the option existed) stays the same.
            let drawUniform = uniformFraction > 0 && generator.uniform() < uniformFraction
            switch drawUniform ? .uniform : distribution {
            case .uniform:
                t = generator.uniform()
            case .logitNormal(let mean, let std):
                let u = Double(mean + std * generator.normal())
                t = Float(1 / (1 + Foundation.exp(-u)))
            }
            return TimeWarp.shift(min(max(t, 0), 1), by: shift)
        }
    }

    /// A readable description, e.g. "logit-normal(0, 1), shift 3".
    public var summary: String {
        var text: String
        switch distribution {
        case .uniform: text = "uniform"
        case .logitNormal(let mean, let std): text = "logit-normal(\(mean), \(std))"
        }
        if uniformFraction > 0 { text += " with \(uniformFraction) uniform" }
        if shift != 1 { text += ", shift \(shift)" }
        return text
    }
}

// The uniform fraction is written only when set, and read as 0 when absent: the settings, keys
// and manifests of runs made before it existed stay what they were.
extension TimeSampling {
    private enum CodingKeys: String, CodingKey { case distribution, shift, uniformFraction }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try container.decode(Distribution.self, forKey: .distribution),
            shift: try container.decode(Float.self, forKey: .shift),
            uniformFraction: try container.decodeIfPresent(Float.self, forKey: .uniformFraction) ?? 0)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(distribution, forKey: .distribution)
        try container.encode(shift, forKey: .shift)
        if uniformFraction != 0 { try container.encode(uniformFraction, forKey: .uniformFraction) }
    }
}
