/// A network component with named parameters and sub-modules, named in PyTorch's dotted
/// style (`enc.res1.conv1.weight`) so checkpoints line up with a PyTorch `state_dict`.
///
/// Every parameter and child is registered under its state-dict key: the name the PyTorch
/// reference gives it, which is also the checkpoint format and must never change. The Swift
/// property holding it has a name of its own that says what it is, and the registration is
/// where the two meet: `register(conv1, as: "c1")`.
///
/// Subclasses create their parameters and children before `super.init()` (so they can be
/// `let`s) and register them after it, in the order PyTorch would list them; that order is
/// the order of `namedParameters()`.
///
/// Why explicit registration rather than a property wrapper carrying the key (mlx-swift's
/// `@ModuleInfo(key:)`): Swift can only find wrapped properties by reflection (`Mirror`), which
/// walks every stored property, lists them in declaration order rather than the reference's
/// registration order (which training results depend on: the gradient norm is summed in it),
/// cannot key the elements of an array of blocks or skip an absent optional one, and needs the
/// children to be `var`s. Registration costs nothing in the forward pass, which reads plain
/// stored `let`s.
open class Module {
    public private(set) var ownParameters: [(name: String, variable: Variable)] = []
    public private(set) var children: [(name: String, module: Module)] = []
    public private(set) var isTraining = true

    public init() {}

    /// Registers `child` under the state-dict key `key`; returns the child. A key may be dotted
    /// (`"tmlp.0"`) to reproduce a PyTorch container the Swift code has no class for.
    @discardableResult
    public func register<M: Module>(_ child: M, as key: String) -> M {
        Self.checkKey(key, of: "child", in: self)
        precondition(!children.contains { $0.name == key }, "\(type(of: self)): child '\(key)' registered twice")
        children.append((key, child))
        return child
    }

    /// Registers an existing trainable leaf (created before `super.init()` so it can be a `let`)
    /// under the state-dict key `key`.
    public func registerParameter(_ variable: Variable, as key: String) {
        Self.checkKey(key, of: "parameter", in: self)
        precondition(
            variable.requiresGrad && variable.isLeaf,
            "\(type(of: self)): '\(key)' is not a trainable leaf")
        precondition(
            !ownParameters.contains { $0.name == key },
            "\(type(of: self)): parameter '\(key)' registered twice")
        ownParameters.append((key, variable))
    }

    /// A key is one or more non-empty components joined by dots, as PyTorch's are.
    private static func checkKey(_ key: String, of kind: String, in module: Module) {
        precondition(
            !key.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty },
            "\(type(of: module)): \(kind) key '\(key)' has an empty component")
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
            throw ModuleLoadError(
                source: source,
                message:
                    "parameter names differ: missing \(missing.prefix(5)), unexpected \(unexpected.prefix(5))")
        }
        for (name, variable) in named {
            let value = state[name]!
            guard value.shape == variable.value.shape else {
                throw ModuleLoadError(
                    source: source,
                    message:
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
