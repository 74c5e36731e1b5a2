import TensorCore

/// The self-consistency target of a shortcut model: one step of size 2d must land where two of
/// its own steps of size d land,
///
///     s(x, t, 2d) = (s(x, t, d) + s(x', t + d, d)) / 2,   x' = x + d·s(x, t, d),
///
/// computed without a graph (a stop-gradient: the target is a constant of the step).
public enum ShortcutTarget {
    /// The target for each sample i of the batch `x` [N, …] at time `times[i]`, half step
    /// `halfSteps[i]` (the big step is twice it), the network queried at step size
    /// `querySizes[i]` for both half steps (the half step itself, or 0 at the finest step, where
    /// the instantaneous velocity is the flow-matching one).
    public static func twoHalfSteps(
        _ model: StepConditionedVelocityModel, x: Tensor, times: [Float], classes: [Int],
        halfSteps: [Float], querySizes: [Float]
    ) -> Tensor {
        let n = times.count
        precondition(
            x.rank >= 1 && x.shape[0] == n && classes.count == n && halfSteps.count == n && querySizes.count == n,
            "ShortcutTarget: \(n) times for a batch of shape \(x.shape)")
        let first = model.velocity(x, times: times, classes: classes, stepSizes: querySizes)
        let midway = addingRows(x, first, scales: halfSteps)
        let later = zip(times, halfSteps).map { $0 + $1 }
        let second = model.velocity(midway, times: later, classes: classes, stepSizes: querySizes)
        return Tensor.combination(first, [(1, second)]).scaled(0.5)
    }

    /// x + scales[i]·v row by row.
    static func addingRows(_ x: Tensor, _ v: Tensor, scales: [Float]) -> Tensor {
        precondition(x.shape == v.shape && x.shape[0] == scales.count, "addingRows: shapes \(x.shape), \(v.shape)")
        let out = Tensor(uninitializedShape: x.shape)
        let per = x.count / max(scales.count, 1)
        let p = x.unsafePointer, q = v.unsafePointer, o = out.unsafePointer
        for (i, scale) in scales.enumerated() {
            for j in (i * per)..<((i + 1) * per) { o[j] = p[j] + scale * q[j] }
        }
        return out
    }
}
