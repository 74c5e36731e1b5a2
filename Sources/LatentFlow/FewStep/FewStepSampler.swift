import Foundation
import TensorCore

/// Few-step sampling: n equal steps of d = 1/n from noise (t = 0) to data (t = 1), each
/// x ← x + d·v(x, t, d), one network pass per step (the guidance is in the model's weights).
/// For a shortcut model that is the jump it learned for step size d; for a reflowed model it is
/// the Euler step, exact where the learned paths are straight.
public enum FewStepSampler {
    /// The state after `steps` steps from `noise` (the network's standardised space).
    public static func integrate(
        _ model: StepConditionedVelocityModel, noise: Tensor, classes: [Int], steps: Int,
        maximumBatch: Int? = nil
    ) -> Tensor {
        precondition(steps >= 1, "FewStepSampler: \(steps) steps")
        let n = classes.count
        precondition(
            noise.rank >= 1 && noise.shape[0] == n, "FewStepSampler: \(n) classes for noise of shape \(noise.shape)")
        let d = 1 / Float(steps)
        var x = noise
        for k in 0..<steps {
            let t = Float(k) * d
            let chunk = max(1, maximumBatch ?? n)
            var parts: [Tensor] = []
            for start in stride(from: 0, to: n, by: chunk) {
                let range = start..<min(n, start + chunk)
                parts.append(
                    model.velocity(
                        range.count == n ? x : x.rows(range), times: Array(repeating: t, count: range.count),
                        classes: Array(classes[range]), stepSizes: Array(repeating: d, count: range.count)))
            }
            x = Tensor.combination(x, [(d, parts.count == 1 ? parts[0] : Tensor.concatenatingRows(parts))])
        }
        return x
    }
}

extension FlowModel {
    /// The few-step description in the model's info (nil: an ordinary flow). Errors name `source`.
    public func fewStepInfo(source: String) throws -> FewStepModelInfo? {
        try FewStepModelInfo(info: info, source: source)
    }

    /// Samples a few-step model in `steps` network passes, in the data space (statistics undone).
    /// - Throws: `FlowTrainingError` for an ordinary flow, a step count the model was not trained
    ///   for, or noise and classes that do not fit.
    public func sampleFewStep(
        noise: Tensor, classes: [Int], steps: Int, maximumBatch: Int? = nil,
        snap: ((Tensor) throws -> Tensor)? = nil
    ) throws -> FlowSamples {
        guard let few = try fewStepInfo(source: "few-step model") else {
            throw FlowTrainingError(
                "this flow is not a few-step model (no '\(FewStepModelInfo.methodKey)' in its info); "
                    + "sample it with an ODE sampler, or distil it with `pipeline distill-flow`")
        }
        guard few.supports(steps: steps) else {
            throw FlowTrainingError(
                "this \(few.method.rawValue) model samples in \(few.supportedStepsText) steps, not \(steps)")
        }
        guard Array(noise.shape.dropFirst()) == sampleShape, noise.shape.first == classes.count else {
            throw FlowTrainingError(
                "noise of shape \(noise.shape) for \(classes.count) classes; the model makes \(sampleShape) samples")
        }
        if let bad = classes.first(where: { $0 < 0 || $0 > network.nullClass }) {
            throw FlowTrainingError(
                "class \(bad) is outside 0..<\(network.config.classCount) (or \(network.nullClass) for none)")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let state = reusingTransformedWeights {
            FewStepSampler.integrate(network, noise: noise, classes: classes, steps: steps, maximumBatch: maximumBatch)
        }
        let samples = statistics.destandardize(state)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return FlowSamples(
            samples: samples, snapped: try snap?(samples), evaluations: steps, networkPasses: steps,
            acceptedSteps: steps, rejectedSteps: 0, seconds: seconds)
    }
}
