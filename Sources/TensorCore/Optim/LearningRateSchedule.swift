import Foundation

/// A learning rate as a pure function of the step: the same step always gives the same rate,
/// so a resumed run continues the schedule exactly from the saved step.
///
/// `step` is the 0-based index of the optimizer step about to be taken.
/// - Warm-up rises linearly over `warmupSteps` steps: `peak · (step + 1) / warmupSteps`, so the
///   first step already learns and step `warmupSteps − 1` reaches the peak.
/// - Cosine decay runs from the peak at step `warmupSteps` (0 without warm-up) to `floor` at
///   step `totalSteps`: `floor + (peak − floor) · ½(1 + cos(π · progress))`, and stays at `floor`
///   after that.
/// Degenerate settings never trap: no warm-up when `warmupSteps ≤ 0`; negative steps count as 0;
/// `totalSteps ≤ warmupSteps` decays straight to the floor after the warm-up.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    case constant(Double)
    case linearWarmup(peak: Double, warmupSteps: Int)
    case cosineDecay(peak: Double, floor: Double, totalSteps: Int)
    case warmupCosine(peak: Double, floor: Double, warmupSteps: Int, totalSteps: Int)

    /// A trainer's schedule whose length may not be known yet (planned from a time budget):
    /// warm-up then cosine decay to `floor` over `totalSteps` once known, warm-up then constant before.
    public static func warmupThenCosine(peak: Double, floor: Double, warmupSteps: Int, totalSteps: Int?)
        -> LearningRateSchedule
    {
        guard let totalSteps else { return .linearWarmup(peak: peak, warmupSteps: warmupSteps) }
        return .warmupCosine(peak: peak, floor: floor, warmupSteps: warmupSteps, totalSteps: totalSteps)
    }

    public func learningRate(at step: Int) -> Double {
        let step = max(step, 0)
        switch self {
        case .constant(let rate):
            return rate
        case .linearWarmup(let peak, let warmupSteps):
            return Self.warmup(peak: peak, step: step, warmupSteps: warmupSteps)
        case .cosineDecay(let peak, let floor, let totalSteps):
            return Self.cosine(peak: peak, floor: floor, step: step, start: 0, end: totalSteps)
        case .warmupCosine(let peak, let floor, let warmupSteps, let totalSteps):
            if step < warmupSteps { return Self.warmup(peak: peak, step: step, warmupSteps: warmupSteps) }
            return Self.cosine(peak: peak, floor: floor, step: step, start: max(warmupSteps, 0), end: totalSteps)
        }
    }

    /// Shorthand for `learningRate(at:)`.
    public func callAsFunction(_ step: Int) -> Double { learningRate(at: step) }

    private static func warmup(peak: Double, step: Int, warmupSteps: Int) -> Double {
        guard step < warmupSteps else { return peak }
        return peak * Double(step + 1) / Double(warmupSteps)
    }

    private static func cosine(peak: Double, floor: Double, step: Int, start: Int, end: Int) -> Double {
        guard end > start else { return step < start ? peak : floor }
        let progress = min(1, Double(step - start) / Double(end - start))
        return floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
