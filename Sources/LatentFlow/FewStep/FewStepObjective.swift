import TensorCore

/// The inputs and targets of one few-step training batch, built from teacher pairs (z, T(z))
/// in the standardised space.
///
/// - reflow: flow matching on the fixed coupling, x_t = (1−t)·z + t·T(z), target T(z) − z.
/// - shortcut: the same for the first part of the batch at step size 0; the rest (a share
///   `selfConsistencyFraction`) at a big step 2d drawn from 1, 1/2, …, 1/maximumSteps, at a time
///   t on the grid of d with t + 2d ≤ 1, with the target of two half steps of the network itself
///   (`ShortcutTarget`). Flow-matching samples come first so that a fraction of 0 is plain reflow
///   with a step-size input.
public struct FewStepObjective {
    public var state: Tensor
    public var times: [Float]
    public var classes: [Int]
    /// Per sample (nil for a network without the step-size input).
    public var stepSizes: [Float]?
    public var target: Tensor
    /// Samples at the front trained by flow matching (the rest by self-consistency).
    public var flowMatchingCount: Int

    /// - Parameter network: the student, queried (without a graph) for the self-consistency targets.
    public static func make(
        _ batch: ReflowPairBatch, config: FewStepTrainingConfig, network: StepConditionedVelocityModel,
        generator: inout SeededGenerator
    ) -> FewStepObjective {
        let n = batch.count
        let consistency = config.method == .shortcut ? min(n, Int(config.selfConsistencyFraction * Double(n))) : 0
        let matching = n - consistency
        var times = config.timeSampling.sample(n, generator: &generator)
        var stepSizes = [Float](repeating: 0, count: n)
        var halfSteps = [Float](), querySizes = [Float]()
        // log2(maximumSteps) + 1 big-step sizes: 2d = 2^-level.
        let levels = config.maximumSteps.trailingZeroBitCount + 1
        for i in matching..<n {
            let level = generator.integer(below: levels)
            let half = 1 / Float(1 << (level + 1))
            let slots = (1 << (level + 1)) - 1  // t = m·d for m in 0..<slots keeps t + 2d ≤ 1
            times[i] = Float(generator.integer(below: slots)) * half
            stepSizes[i] = 2 * half
            halfSteps.append(half)
            // A half step that is itself a trained big step is queried as such; the finest ones at d = 0.
            querySizes.append(half * Float(config.maximumSteps) >= 1 ? half : 0)
        }
        let (state, flowTarget) = FlowPath.linear.interpolate(noise: batch.noise, data: batch.endpoints, times: times)
        var target = flowTarget
        if consistency > 0 {
            let range = matching..<n
            let consistencyTarget = ShortcutTarget.twoHalfSteps(
                network, x: state.rows(range), times: Array(times[range]),
                classes: Array(batch.classes[range]),
                halfSteps: halfSteps, querySizes: querySizes)
            target =
                matching > 0
                ? Tensor.concatenatingRows([flowTarget.rows(0..<matching), consistencyTarget]) : consistencyTarget
        }
        return FewStepObjective(
            state: state, times: times, classes: batch.classes,
            stepSizes: config.method.conditionsOnStepSize ? stepSizes : nil,
            target: target, flowMatchingCount: matching)
    }
}
