import TensorCore

/// The inputs and targets of one few-step training batch, built from teacher pairs (z, T(z))
/// in the standardised space.
///
/// - reflow: flow matching on the fixed coupling, x_t = (1−t)·z + t·T(z), target T(z) − z.
/// - shortcut: the same for the first part of the batch at step size 0; the rest (a share
///   `selfConsistencyFraction`) at a big step 2d drawn from 1, 1/2, …, 1/maximumSteps, at a time
///   t on the grid of d with t + 2d ≤ 1, with the target of two half steps of the network itself
///   (`ShortcutTarget`). Flow-matching samples come first, self-consistency ones last.
///
/// Data parallel (`part`): every rank draws the whole batch's times and step sizes (the draws of
/// one process) and keeps its part of the flow-matching rows and its part of the self-consistency
/// rows, so the ranks share the student's extra passes evenly and each kept row gets exactly the
/// inputs one process gives it.
public struct FewStepObjective {
    public var state: Tensor
    public var times: [Float]
    public var classes: [Int]
    /// Per sample (nil for a network without the step-size input).
    public var stepSizes: [Float]?
    public var target: Tensor
    /// Samples at the front trained by flow matching (the rest by self-consistency).
    public var flowMatchingCount: Int
    /// The rows kept (all of the batch unless a `part` was given).
    public var count: Int { times.count }

    /// The samples of a batch of `n` trained on the self-consistency target (the last ones), the
    /// fraction's share rounded down: the rounding keeps the batches of existing runs as they were;
    /// a setting whose batch would get none is refused instead (`FewStepTrainingConfig.validate(batchSize:)`).
    public static func consistencyCount(batch n: Int, config: FewStepTrainingConfig) -> Int {
        config.method == .shortcut ? min(n, Int(config.selfConsistencyFraction * Double(n))) : 0
    }

    /// - Parameters:
    ///   - network: the student, queried (without a graph) for the self-consistency targets.
    ///   - part: data parallel: this rank's rows of a count (`DataParallelGroup.shard(of:)`),
    ///     applied to the flow-matching rows and to the self-consistency rows; nil keeps all.
    public static func make(
        _ batch: ReflowPairBatch, config: FewStepTrainingConfig, network: StepConditionedVelocityModel,
        generator: inout SeededGenerator, part: ((Int) -> Range<Int>)? = nil
    ) -> FewStepObjective {
        let n = batch.count
        let consistency = consistencyCount(batch: n, config: config)
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
        // The rows kept: all, or this rank's part of each kind.
        let kept = part.map { part in (part(matching), part(consistency)) }
        let matchingRows = kept?.0 ?? 0..<matching
        let consistencyRows = kept.map { (matching + $0.1.lowerBound)..<(matching + $0.1.upperBound) } ?? matching..<n
        let ranges = [matchingRows, consistencyRows].filter { !$0.isEmpty }
        var targets = matchingRows.isEmpty ? [] : [flowTarget.rows(matchingRows)]
        if !consistencyRows.isEmpty {
            let queried = (consistencyRows.lowerBound - matching)..<(consistencyRows.upperBound - matching)
            targets.append(
                ShortcutTarget.twoHalfSteps(
                    network, x: state.rows(consistencyRows), times: Array(times[consistencyRows]),
                    classes: Array(batch.classes[consistencyRows]),
                    halfSteps: Array(halfSteps[queried]), querySizes: Array(querySizes[queried])))
        }
        func keep<T>(_ values: [T]) -> [T] { ranges.flatMap { values[$0] } }
        return FewStepObjective(
            state: ranges == [0..<n] ? state : Tensor.concatenatingRows(ranges.map { state.rows($0) }),
            times: keep(times), classes: keep(batch.classes),
            stepSizes: config.method.conditionsOnStepSize ? keep(stepSizes) : nil,
            target: targets.count == 1 ? targets[0] : Tensor.concatenatingRows(targets),
            flowMatchingCount: matchingRows.count)
    }
}
