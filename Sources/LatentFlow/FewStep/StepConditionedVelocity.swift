import TensorCore

/// A velocity model that may take the step size d of the sampler: v(x, t, class, d). For a
/// shortcut model, x + d·v(x, t, d) is where the flow from x at t arrives at t + d; d = 0 is the
/// instantaneous velocity. A model that does not take d (a reflowed flow) ignores it.
public protocol StepConditionedVelocityModel: AnyObject {
    var nullClass: Int { get }
    /// Velocities of a batch [N, C, H, W] at per-sample times, classes and step sizes (no graph).
    func velocity(_ x: Tensor, times: [Float], classes: [Int], stepSizes: [Float]) -> Tensor
}

extension VelocityUNet: StepConditionedVelocityModel {
    /// Whether the network takes the step size (`UNetConfig.stepSizeConditioned`).
    public var conditionsOnStepSize: Bool { stepEmbedding != nil }

    public func velocity(_ x: Tensor, times: [Float], classes: [Int], stepSizes: [Float]) -> Tensor {
        withoutGradients {
            self(Variable(x), times: times, classes: classes, stepSizes: conditionsOnStepSize ? stepSizes : nil).value
        }
    }
}
