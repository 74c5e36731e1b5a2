import Foundation
import TensorCore

/// The outcome of an integration.
public struct IntegrationResult: @unchecked Sendable {
    public var state: Tensor
    /// Number of function (velocity) evaluations.
    public var evaluations: Int
    public var acceptedSteps: Int
    public var rejectedSteps: Int
}

/// A velocity field of a whole batch at one time: v(x, t).
public typealias VelocityField = (Tensor, Float) throws -> Tensor

/// A velocity field that is smooth within each piece of the time axis but may change from one
/// piece to the next, as classifier-free guidance limited to an interval does at the interval's
/// ends: v(x, t, piece), where `piece` is the span of times between two switches that the current
/// solver step lies in. Every evaluation of one step gets the same piece, so no step mixes two
/// fields (which would make it a step of neither and cost the method its order).
public typealias PiecewiseVelocityField = (_ x: Tensor, _ t: Float, _ piece: ClosedRange<Float>) throws -> Tensor

/// Integrates dx/dt = v(x, t) with the method of `settings`, counting evaluations.
public enum ODEIntegrator {
    public static func integrate(
        _ start: Tensor, from t0: Float = 0, to t1: Float = 1, settings: SamplerSettings,
        field: VelocityField
    ) throws -> IntegrationResult {
        try integrate(start, from: t0, to: t1, settings: settings, switchingAt: []) { x, t, _ in try field(x, t) }
    }

    /// Integrates a field that switches at the times `switches` (those strictly between t0 and t1
    /// count): fixed-step methods run on a grid with every switch on it (see
    /// `SamplerSettings.grid(from:to:through:)`), the adaptive method integrates each piece on its own.
    public static func integrate(
        _ start: Tensor, from t0: Float = 0, to t1: Float = 1, settings: SamplerSettings,
        switchingAt switches: [Float], field: PiecewiseVelocityField
    ) throws -> IntegrationResult {
        try settings.validate()
        var evaluations = 0
        // The piece of the step being taken; every evaluation of the step sees it.
        var piece = min(t0, t1)...max(t0, t1)
        let counted: VelocityField = { x, t in
            evaluations += 1
            return try field(x, t, piece)
        }
        func span(_ a: Float, _ b: Float) -> ClosedRange<Float> { min(a, b)...max(a, b) }
        var result: IntegrationResult
        if settings.method == .dopri5 {
            result = IntegrationResult(state: start, evaluations: 0, acceptedSteps: 0, rejectedSteps: 0)
            let ends = SamplerSettings.pieceEnds(from: t0, to: t1, switches: switches)
            for (a, b) in zip(ends, ends.dropFirst()) {
                piece = span(a, b)
                let part = try DormandPrince.integrate(result.state, from: a, to: b, settings: settings, field: counted)
                result.state = part.state
                result.acceptedSteps += part.acceptedSteps
                result.rejectedSteps += part.rejectedSteps
            }
        } else {
            var x = start
            let grid = settings.grid(from: t0, to: t1, through: switches)
            let ends = SamplerSettings.pieceEnds(from: t0, to: t1, switches: switches)
            var current = 0
            for (a, b) in zip(grid, grid.dropFirst()) {
                // The grid holds every piece end, so a step starting at or past one is in the next piece.
                while current + 2 < ends.count && (a - ends[current + 1]) * (t1 - t0) >= 0 { current += 1 }
                piece = span(ends[current], ends[current + 1])
                x = try fixedStep(settings.method, x, t: a, h: b - a, field: counted)
            }
            result = IntegrationResult(state: x, evaluations: 0, acceptedSteps: grid.count - 1, rejectedSteps: 0)
        }
        result.evaluations = evaluations
        return result
    }

    /// One step of a fixed-step method from (x, t) to t + h.
    static func fixedStep(_ method: ODEMethod, _ x: Tensor, t: Float, h: Float, field: VelocityField) throws -> Tensor {
        switch method {
        case .euler:
            return Tensor.combination(x, [(h, try field(x, t))])
        case .midpoint:
            let k1 = try field(x, t)
            let k2 = try field(Tensor.combination(x, [(h / 2, k1)]), t + h / 2)
            return Tensor.combination(x, [(h, k2)])
        case .heun:
            let k1 = try field(x, t)
            let k2 = try field(Tensor.combination(x, [(h, k1)]), t + h)
            return Tensor.combination(x, [(h / 2, k1), (h / 2, k2)])
        case .rk4:
            let k1 = try field(x, t)
            let k2 = try field(Tensor.combination(x, [(h / 2, k1)]), t + h / 2)
            let k3 = try field(Tensor.combination(x, [(h / 2, k2)]), t + h / 2)
            let k4 = try field(Tensor.combination(x, [(h, k3)]), t + h)
            return Tensor.combination(x, [(h / 6, k1), (h / 3, k2), (h / 3, k3), (h / 6, k4)])
        case .dopri5:
            preconditionFailure("dopri5 is adaptive; use DormandPrince")
        }
    }
}
