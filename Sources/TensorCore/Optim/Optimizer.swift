/// A trainable parameter with its PyTorch-style dotted name (`enc.conv1.weight`), as
/// `Module.namedParameters()` lists them. Names key optimizer state, EMA shadows and checkpoints.
public typealias NamedParameter = (name: String, variable: Variable)

/// An optimizer updates its parameters from their accumulated gradients.
///
/// It keeps state per parameter (moments, step count), which it can export and import by
/// parameter name so that a checkpoint restores training exactly. Parameters whose `grad` is
/// nil at `step()` are skipped and their state is left untouched, as in PyTorch.
public protocol Optimizer: AnyObject {
    /// The parameters in the order given at creation.
    var parameters: [NamedParameter] { get }
    /// The learning rate of the next `step()`; schedules set it before every step.
    var learningRate: Double { get set }
    /// A short name of the algorithm for checkpoints ("Adam", "AdamW").
    var algorithmName: String { get }
    /// Every hyper-parameter by PyTorch's name (`lr`, `beta1`, `weight_decay`…), for checkpoints and logs.
    var hyperParameters: [String: Double] { get }

    /// One update of every parameter that has a gradient.
    func step()
    /// The per-parameter state, by parameter name (parameters never stepped are absent).
    func exportState() -> OptimizerState
    /// Replaces the per-parameter state. Every entry must name a parameter of this optimizer and
    /// have the slots and shapes it expects; nothing changes unless all of them do. Parameters
    /// without an entry start afresh. `source` names the origin in error messages.
    func importState(_ state: OptimizerState, source: String) throws
}

extension Optimizer {
    /// Drops every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`): the next
    /// backward pass then stores its gradient instead of adding to zeros.
    public func zeroGradients() {
        for parameter in parameters { parameter.variable.grad = nil }
    }

    /// Scales the gradients so that their global L2 norm is at most `maxNorm`; returns the norm
    /// before clipping. See `clipGradientNorm(_:maxNorm:)`.
    @discardableResult
    public func clipGradientNorm(maxNorm: Double) -> Double {
        TensorCore.clipGradientNorm(parameters.map(\.variable), maxNorm: maxNorm)
    }
}

/// An optimizer's per-parameter state, keyed by parameter name.
public struct OptimizerState: Sendable, Equatable {
    public var parameters: [String: OptimizerParameterState]

    public init(parameters: [String: OptimizerParameterState] = [:]) {
        self.parameters = parameters
    }
}

/// One parameter's optimizer state: how many updates it has had, and named tensors such as
/// Adam's `exp_avg` and `exp_avg_sq` (PyTorch's names). Slot names contain no dots.
public struct OptimizerParameterState: Sendable, Equatable {
    public var step: Int
    public var slots: [String: Tensor]

    public init(step: Int, slots: [String: Tensor]) {
        self.step = step
        self.slots = slots
    }
}

/// Restoring training state failed: names the origin (a file, "EMA state"…) and the problem.
public struct TrainingStateError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let message: String

    public init(source: String, _ message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}

/// Checks that parameter names are unique: state, shadows and checkpoints are keyed by them.
func checkUniqueNames(_ parameters: [NamedParameter], owner: String) {
    var seen = Set<String>()
    for p in parameters {
        precondition(seen.insert(p.name).inserted, "\(owner): parameter name '\(p.name)' appears twice")
    }
}
