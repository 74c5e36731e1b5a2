import Foundation
import TensorCore

/// Samples made by integrating a flow model, in the data space (statistics undone).
public struct FlowSamples: @unchecked Sendable {
    /// [N, C, H, W] as the ODE ends.
    public var samples: Tensor
    /// The samples after the snap closure (e.g. to the nearest RVQ codebook entries), if given.
    public var snapped: Tensor?
    /// Evaluations of the velocity field by the solver (a guided evaluation counts once).
    public var evaluations: Int
    /// Network passes over the batch, the NFE of the literature: a guided evaluation is two
    /// (conditional and unconditional), any other one.
    public var networkPasses: Int
    /// Evaluations that applied guidance (`networkPasses` = `evaluations` + this).
    public var guidedEvaluations: Int
    public var acceptedSteps: Int
    public var rejectedSteps: Int
    /// Seconds spent integrating (snapping excluded).
    public var seconds: Double

    public init(
        samples: Tensor, snapped: Tensor? = nil, evaluations: Int, networkPasses: Int, guidedEvaluations: Int = 0,
        acceptedSteps: Int, rejectedSteps: Int, seconds: Double
    ) {
        self.samples = samples
        self.snapped = snapped
        self.evaluations = evaluations
        self.networkPasses = networkPasses
        self.guidedEvaluations = guidedEvaluations
        self.acceptedSteps = acceptedSteps
        self.rejectedSteps = rejectedSteps
        self.seconds = seconds
    }
}

extension FlowModel {
    /// Unit Gaussian noise for samples `first ..< first + count`: sample i draws from a
    /// generator seeded with (seed, i), so a sample does not change with the batch it is in.
    public func noise(count: Int, seed: UInt64, first: Int = 0) -> Tensor {
        let per = sampleShape.reduce(1, *)
        let out = Tensor(uninitializedShape: [count] + sampleShape)
        let p = out.unsafePointer
        for k in 0..<count {
            var generator = SeededGenerator(
                seed: SeedMixing.combine(seed, RandomStream.sampleNoise.salt, UInt64(first + k)))
            for j in 0..<per { p[k * per + j] = generator.normal() }
        }
        return out
    }

    /// Integrates the flow from `noise` (standardised space, [N] + sampleShape) for the given
    /// classes (`network.nullClass` for unconditional samples) with classifier-free guidance
    /// `guidance` (at times in `guidanceInterval`), then maps the result back to the data space
    /// and, if `snap` is given, snaps it. The guidance switches on and off at the interval's ends,
    /// which the solver treats as ends of pieces (no step straddles one, see `ODEIntegrator`).
    public func sample(
        noise: Tensor, classes: [Int], settings: SamplerSettings, guidance: Float = 1,
        guidanceInterval: ClosedRange<Float> = 0...1,
        maximumBatch: Int? = nil, snap: ((Tensor) throws -> Tensor)? = nil
    ) throws -> FlowSamples {
        guard Array(noise.shape.dropFirst()) == sampleShape, noise.shape.first == classes.count else {
            throw FlowTrainingError(
                "noise of shape \(noise.shape) for \(classes.count) classes; the model makes \(sampleShape) samples")
        }
        if let bad = classes.first(where: { $0 < 0 || $0 > network.nullClass }) {
            throw FlowTrainingError(
                "class \(bad) is outside 0..<\(network.config.classCount) (or \(network.nullClass) for none)")
        }
        guard guidance.isFinite else { throw FlowTrainingError("guidance scale must be finite, got \(guidance)") }
        guard guidanceInterval.lowerBound >= 0, guidanceInterval.upperBound <= 1 else {
            throw FlowTrainingError("the guidance interval must lie in 0...1, got \(guidanceInterval)")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var field = GuidedVelocity(
            model: network, classes: classes, scale: guidance, interval: guidanceInterval,
            maximumBatch: maximumBatch)
        // The weights are frozen for the whole integration: transform the convolutions' once.
        let result = try reusingTransformedWeights {
            try ODEIntegrator.integrate(noise, settings: settings, switchingAt: field.switchTimes) { x, t, piece in
                field(x, t, piece: piece)
            }
        }
        let samples = statistics.destandardize(result.state)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return FlowSamples(
            samples: samples, snapped: try snap?(samples), evaluations: result.evaluations,
            networkPasses: field.passes, guidedEvaluations: field.guidedEvaluations,
            acceptedSteps: result.acceptedSteps,
            rejectedSteps: result.rejectedSteps, seconds: seconds)
    }
}
