/// A network component with named parameters and sub-modules, named in PyTorch's dotted
/// style (`enc.res1.conv1.weight`) so checkpoints line up with a PyTorch `state_dict`.
///
/// Subclasses register their parameters and children in `init`, in the order PyTorch
/// would list them; that order is the order of `namedParameters()`.
open class Module {
    public private(set) var ownParameters: [(name: String, variable: Variable)] = []
    public private(set) var children: [(name: String, module: Module)] = []
    public private(set) var isTraining = true

    public init() {}

    @discardableResult
    public func register<M: Module>(_ name: String, _ module: M) -> M {
        precondition(!children.contains { $0.name == name }, "\(type(of: self)): child '\(name)' registered twice")
        children.append((name, module))
        return module
    }

    /// Registers an existing trainable leaf (created before `super.init()` so it can be a `let`).
    public func registerParameter(_ name: String, _ variable: Variable) {
        precondition(variable.requiresGrad && variable.isLeaf,
                     "\(type(of: self)): '\(name)' is not a trainable leaf")
        precondition(!ownParameters.contains { $0.name == name },
                     "\(type(of: self)): parameter '\(name)' registered twice")
        ownParameters.append((name, variable))
    }

    /// Every parameter below this module, depth first, with dotted names.
    public func namedParameters(prefix: String = "") -> [(name: String, variable: Variable)] {
        var result = ownParameters.map { (prefix + $0.name, $0.variable) }
        for (name, child) in children {
            result += child.namedParameters(prefix: prefix + name + ".")
        }
        return result
    }

    public var parameters: [Variable] { namedParameters().map(\.variable) }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Switches training behaviour (e.g. dropout) on or off here and below.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// Parameter values by dotted name, for checkpoints.
    public func stateDictionary() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.variable.value) })
    }

    /// Replaces every parameter's value; names and shapes must match exactly.
    public func loadStateDictionary(_ state: [String: Tensor], source: String = "state dictionary") throws {
        let named = namedParameters()
        let expected = Set(named.map(\.name))
        let missing = expected.subtracting(state.keys).sorted()
        let unexpected = Set(state.keys).subtracting(expected).sorted()
        guard missing.isEmpty, unexpected.isEmpty else {
            throw ModuleLoadError(source: source, message:
                "parameter names differ: missing \(missing.prefix(5)), unexpected \(unexpected.prefix(5))")
        }
        for (name, variable) in named {
            let value = state[name]!
            guard value.shape == variable.value.shape else {
                throw ModuleLoadError(source: source, message:
                    "parameter \(name) has shape \(value.shape), the model expects \(variable.value.shape)")
            }
        }
        for (name, variable) in named { variable.value = state[name]! }
    }
}

public struct ModuleLoadError: Error, CustomStringConvertible {
    public let source: String
    public let message: String
    public var description: String { "\(source): \(message)" }
}
