import Foundation

/// A node of the differentiation graph: a tensor value, and — when it was computed from
/// values that need gradients — the inputs it came from and how to send a gradient back to them.
///
/// Leaves that require gradients are parameters (`Variable(parameter:)`); their `grad`
/// accumulates across `backward()` calls until an optimizer clears it. Intermediate nodes
/// keep their inputs (and whatever their backward closure captured, i.e. the activations)
/// only until `backward()` has passed through them.
public final class Variable {
    public var value: Tensor
    /// Accumulated gradient of the last `backward()` (leaves only keep it).
    public var grad: Tensor?
    public let requiresGrad: Bool

    /// The nodes this one was computed from (empty for leaves and after backward).
    var inputs: [Variable]
    /// Maps the gradient of this node to gradients of `inputs` (nil entries: no gradient for that input).
    var backwardFunction: ((Tensor) -> [Tensor?])?
    /// Name of the operation, for error messages and debugging.
    public let operation: String

    /// A constant (no gradient).
    public init(_ value: Tensor) {
        self.value = value
        self.requiresGrad = false
        self.inputs = []
        self.operation = "constant"
    }

    /// A trainable leaf.
    public init(parameter value: Tensor) {
        self.value = value
        self.requiresGrad = true
        self.inputs = []
        self.operation = "parameter"
    }

    init(value: Tensor, operation: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        self.requiresGrad = true
        self.inputs = inputs
        self.backwardFunction = backward
        self.operation = operation
    }

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { backwardFunction == nil && inputs.isEmpty }

    /// Builds the result of an operation: it joins the graph only when gradients are being
    /// recorded and one of its inputs needs one; otherwise it is a constant and nothing is kept.
    public static func result(
        _ value: Tensor, operation: String, inputs: [Variable],
        backward: @escaping (Tensor) -> [Tensor?]
    ) -> Variable {
        if GradientMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            return Variable(value: value, operation: operation, inputs: inputs, backward: backward)
        }
        return Variable(value)
    }

    /// The value as a constant, cut from the graph (PyTorch's `detach`).
    public func detached() -> Variable { Variable(value) }
}

/// Whether operations record the graph. Inference runs under `withoutGradients`, so no
/// activation is kept alive for a backward pass that will never come.
///
/// The graph is built and differentiated on one thread; kernels parallelise inside an op. The
/// mode is the calling thread's own, so that threads that each build a graph (data-parallel
/// ranks as threads, in tests) do not switch recording off for one another.
public enum GradientMode {
    /// Set (to any non-nil value) on a thread inside `withoutGradients`; unset means recording.
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "GradientMode: pthread_key_create failed (\(status))")
        return key
    }()
    private static let disabledMarker = UnsafeRawPointer(bitPattern: 1)

    public static var isEnabled: Bool { pthread_getspecific(disabledKey) == nil }

    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        let saved = pthread_getspecific(disabledKey)
        pthread_setspecific(disabledKey, disabledMarker)
        defer { pthread_setspecific(disabledKey, saved) }
        return try body()
    }
}

/// Shorthand for `GradientMode.withoutGradients`.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.withoutGradients(body)
}
