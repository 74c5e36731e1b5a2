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

    public init(_ distribution: Distribution = .uniform, shift: Float = 1) {
        self.distribution = distribution
        self.shift = shift
    }

    /// The logit-normal's mean and deviation: this distribution's, or the standard (0, 1) when
    /// it is uniform (what a command offers as the defaults of those options).
    public var logitNormalParameters: (mean: Float, std: Float) {
        if case .logitNormal(let mean, let std) = distribution { return (mean, std) }
        return (0, 1)
    }

    public static let uniform = TimeSampling(.uniform)
    public static let logitNormal = TimeSampling(.logitNormal(mean: 0, std: 1))

    /// `count` times in [0, 1], drawn from `generator`.
    public func sample(_ count: Int, generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in
            let t: Float
            switch distribution {
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
        if shift != 1 { text += ", shift \(shift)" }
        return text
    }
}
