/// Adam (Kingma & Ba) exactly as `torch.optim.Adam` without amsgrad: bias-corrected moments,
/// ε added after the square root of the corrected second moment, and weight decay as an L2
/// term added to the gradient. `AdamW` is the same algorithm with decoupled weight decay.
///
/// Each parameter keeps `exp_avg` (m), `exp_avg_sq` (v) and its own step count, created at its
/// first update. One fused pass per parameter reads and writes every element once.
public class Adam: Optimizer {
    public let parameters: [NamedParameter]
    public var configuration: AdamConfiguration
    /// Per parameter, in `parameters` order; nil until its first update.
    private var states: [AdamParameterState?]
    private let indexByName: [String: Int]

    public var learningRate: Double {
        get { configuration.learningRate }
        set { configuration.learningRate = newValue }
    }

    public var algorithmName: String { configuration.decoupledWeightDecay ? "AdamW" : "Adam" }

    public var hyperParameters: [String: Double] {
        [
            "lr": configuration.learningRate, "beta1": configuration.beta1, "beta2": configuration.beta2,
            "eps": configuration.epsilon, "weight_decay": configuration.weightDecay,
        ]
    }

    public init(parameters: [NamedParameter], configuration: AdamConfiguration) {
        checkUniqueNames(parameters, owner: "Adam")
        self.parameters = parameters
        self.configuration = configuration
        states = Array(repeating: nil, count: parameters.count)
        indexByName = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($1.name, $0) })
    }

    /// `torch.optim.Adam` with its defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay).
    public convenience init(
        parameters: [NamedParameter], learningRate: Double = 1e-3, beta1: Double = 0.9,
        beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0
    ) {
        self.init(
            parameters: parameters,
            configuration: AdamConfiguration(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay))
    }

    /// Unnamed parameters are named by position ("0", "1", …) as in a PyTorch optimizer's state_dict.
    public convenience init(parameters: [Variable], configuration: AdamConfiguration) {
        self.init(parameters: parameters.enumerated().map { (String($0), $1) }, configuration: configuration)
    }

    /// The state of the named parameter, or nil if it has not been updated yet (or is unknown).
    public func state(of name: String) -> AdamParameterState? {
        indexByName[name].flatMap { states[$0] }
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            let variable = parameter.variable
            guard let gradient = variable.grad else { continue }
            precondition(
                gradient.shape == variable.value.shape,
                "\(algorithmName): gradient \(gradient.shape) for parameter \(parameter.name) \(variable.value.shape)")
            var state =
                states[index]
                ?? AdamParameterState(
                    step: 0, exp_avg: Tensor(zeros: variable.value.shape),
                    exp_avg_sq: Tensor(zeros: variable.value.shape))
            // Release the stored copy so the moments are uniquely referenced and updated in place.
            states[index] = nil
            precondition(
                state.exp_avg.count == variable.value.count,
                "\(algorithmName): parameter \(parameter.name) changed shape to \(variable.value.shape)")
            state.step += 1
            let scalars = AdamStepScalars(configuration: configuration, step: state.step)
            let count = variable.value.count
            gradient.withUnsafePointer { g in
                variable.value.withUnsafeMutablePointer { p in
                    state.exp_avg.withUnsafeMutablePointer { m in
                        state.exp_avg_sq.withUnsafeMutablePointer { v in
                            adamStep(
                                parameter: p, gradient: g, firstMoment: m, secondMoment: v,
                                count: count, scalars: scalars)
                        }
                    }
                }
            }
            states[index] = state
        }
    }

    public func exportState() -> OptimizerState {
        var result: [String: OptimizerParameterState] = [:]
        for (parameter, state) in zip(parameters, states) {
            guard let state else { continue }
            result[parameter.name] = OptimizerParameterState(
                step: state.step, slots: ["exp_avg": state.exp_avg, "exp_avg_sq": state.exp_avg_sq])
        }
        return OptimizerState(parameters: result)
    }

    public func importState(_ state: OptimizerState, source: String) throws {
        var imported: [AdamParameterState?] = Array(repeating: nil, count: parameters.count)
        for name in state.parameters.keys.sorted() {
            let entry = state.parameters[name]!
            guard let index = indexByName[name] else {
                throw TrainingStateError(source: source, "optimizer state for unknown parameter '\(name)'")
            }
            let shape = parameters[index].variable.value.shape
            let expectedSlots: Set<String> = ["exp_avg", "exp_avg_sq"]
            guard Set(entry.slots.keys) == expectedSlots else {
                throw TrainingStateError(
                    source: source,
                    "optimizer state for '\(name)' has slots "
                        + "\(entry.slots.keys.sorted()), \(algorithmName) expects \(expectedSlots.sorted())")
            }
            for (slot, tensor) in entry.slots where tensor.shape != shape {
                throw TrainingStateError(
                    source: source,
                    "optimizer state '\(name).\(slot)' has shape \(tensor.shape), the parameter has \(shape)")
            }
            guard entry.step >= 1 else {
                throw TrainingStateError(
                    source: source, "optimizer state for '\(name)' has step \(entry.step), expected ≥ 1")
            }
            imported[index] = AdamParameterState(
                step: entry.step, exp_avg: entry.slots["exp_avg"]!,
                exp_avg_sq: entry.slots["exp_avg_sq"]!)
        }
        states = imported
    }
}

/// `torch.optim.AdamW`: Adam with decoupled weight decay, applied as `p ← p·(1 − lr·wd)` before
/// the Adam update. PyTorch's defaults (weight decay 0.01).
public final class AdamW: Adam {
    /// Any configuration is taken with decoupled weight decay.
    public override init(parameters: [NamedParameter], configuration: AdamConfiguration) {
        var decoupled = configuration
        decoupled.decoupledWeightDecay = true
        super.init(parameters: parameters, configuration: decoupled)
    }

    public convenience init(
        parameters: [NamedParameter], learningRate: Double = 1e-3, beta1: Double = 0.9,
        beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 1e-2
    ) {
        self.init(
            parameters: parameters,
            configuration: .adamW(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay))
    }
}

/// One parameter's Adam state, named as in PyTorch's optimizer state_dict.
public struct AdamParameterState: Sendable, Equatable {
    public var step: Int
    public var exp_avg: Tensor
    public var exp_avg_sq: Tensor
}
