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

/// Integrates dx/dt = v(x, t) with the method of `settings`, counting evaluations.
public enum ODEIntegrator {
    public static func integrate(_ start: Tensor, from t0: Float = 0, to t1: Float = 1, settings: SamplerSettings,
                                 field: VelocityField) throws -> IntegrationResult {
        try settings.validate()
        var evaluations = 0
        let counted: VelocityField = { x, t in
            evaluations += 1
            return try field(x, t)
        }
        var result: IntegrationResult
        if settings.method == .dopri5 {
            result = try DormandPrince.integrate(start, from: t0, to: t1, settings: settings, field: counted)
        } else {
            var x = start
            let grid = settings.grid(from: t0, to: t1)
            for i in 0..<settings.steps {
                x = try fixedStep(settings.method, x, t: grid[i], h: grid[i + 1] - grid[i], field: counted)
            }
            result = IntegrationResult(state: x, evaluations: 0, acceptedSteps: settings.steps, rejectedSteps: 0)
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
