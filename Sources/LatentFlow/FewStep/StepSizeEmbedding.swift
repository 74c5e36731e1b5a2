import TensorCore

/// The step size d of a few-step sampler as a second conditioning input of the velocity network
/// (shortcut models, Frans et al. 2024, "One Step Diffusion via Shortcut Models"): sinusoidal
/// features of d, as the time's, through a two-layer MLP, added to the time-and-class embedding.
///
/// The last layer starts at zero, so a network that gains this module starts out as the network
/// it was copied from, at every d: distillation begins at the teacher instead of at noise.
/// State-dict names: `dmlp.0.*`, `dmlp.2.*` (the time MLP's numbering), present only in networks
/// that are conditioned on the step size.
final class StepSizeEmbedding: Module {
    static let stateName = "dmlp"

    let first: Linear, second: Linear
    let featureWidth: Int

    init(base: Int, width: Int, generator: inout SeededGenerator) {
        featureWidth = base
        first = Linear(base, width, generator: &generator)
        second = Linear(width, width, generator: &generator)
        second.weight.value = Tensor(zeros: second.weight.value.shape)
        if let bias = second.bias { bias.value = Tensor(zeros: bias.value.shape) }
        super.init()
        register(first, as: "0")
        register(second, as: "2")
    }

    /// [N, width] for N step sizes.
    func callAsFunction(_ stepSizes: [Float]) -> Variable {
        second(first(Variable(sinusoidalTimeEmbedding(stepSizes, dimension: featureWidth))).silu())
    }
}
