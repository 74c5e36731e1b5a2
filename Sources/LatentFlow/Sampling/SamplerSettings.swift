/// ODE solvers for dx/dt = v(x, t) from noise (t = 0) to data (t = 1).
public enum ODEMethod: String, Codable, CaseIterable, Sendable {
    /// First order, 1 evaluation per step.
    case euler
    /// Explicit midpoint, second order, 2 evaluations per step.
    case midpoint
    /// Heun's method (explicit trapezoid), second order, 2 evaluations per step.
    case heun
    /// The classical Runge–Kutta method, fourth order, 4 evaluations per step.
    case rk4
    /// Adaptive Dormand–Prince 5(4) with error control (7 stages, first-same-as-last).
    case dopri5

    /// Order of accuracy.
    public var order: Int {
        switch self {
        case .euler: return 1
        case .midpoint, .heun: return 2
        case .rk4: return 4
        case .dopri5: return 5
        }
    }

    /// Velocity evaluations per step of a fixed-step method (nil for the adaptive one).
    public var evaluationsPerStep: Int? {
        switch self {
        case .euler: return 1
        case .midpoint, .heun: return 2
        case .rk4: return 4
        case .dopri5: return nil
        }
    }
}

/// How to integrate the flow.
public struct SamplerSettings: Codable, Equatable, Sendable {
    public var method: ODEMethod
    /// Steps of a fixed-step method.
    public var steps: Int
    /// Tolerances of the adaptive method: a step is accepted when the RMS over elements of
    /// error / (atol + rtol·|x|) is at most 1.
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    /// `TimeWarp` shift of the fixed-step grid (1: uniform; > 1: smaller steps near the noise).
    public var shift: Float
    /// The adaptive method gives up (with an error) after this many steps.
    public var maximumSteps: Int

    public init(
        method: ODEMethod = .heun, steps: Int = 20, relativeTolerance: Double = 1e-3,
        absoluteTolerance: Double = 1e-3, shift: Float = 1, maximumSteps: Int = 1000
    ) {
        self.method = method
        self.steps = steps
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.shift = shift
        self.maximumSteps = maximumSteps
    }

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw FlowTrainingError(message) } }
        if method != .dopri5 {
            try check(steps >= 1 && steps <= 100_000, "sampler steps must be in 1...100000, got \(steps)")
        } else {
            try check(
                relativeTolerance > 0 && absoluteTolerance > 0,
                "tolerances must be positive, got rtol \(relativeTolerance), atol \(absoluteTolerance)")
            try check(maximumSteps >= 1, "maximum steps must be positive, got \(maximumSteps)")
        }
        try check(shift > 0 && shift.isFinite, "time shift must be positive, got \(shift)")
    }

    /// The fixed-step grid from t0 to t1: `steps + 1` times, warped by `shift`.
    public func grid(from t0: Float = 0, to t1: Float = 1) -> [Float] {
        (0...steps).map { i in
            i == steps ? t1 : t0 + (t1 - t0) * TimeWarp.shift(Float(i) / Float(steps), by: shift)
        }
    }
}
