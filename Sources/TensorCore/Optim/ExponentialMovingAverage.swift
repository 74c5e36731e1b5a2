/// An exponential moving average of parameter values (a shadow copy), the weights usually
/// evaluated and sampled from.
///
/// After each optimizer step, `update(step:)` moves every shadow towards its parameter:
/// `shadow ← shadow + (1 − d)·(p − shadow)`. With warm-up the decay is
/// `d = min(decay, (1 + step) / (10 + step))` (TensorFlow's `num_updates` rule), so early
/// averages follow the fast-moving weights instead of remembering the random initialisation.
public final class ExponentialMovingAverage {
    public let parameters: [NamedParameter]
    public let decay: Double
    public let warmup: Bool
    /// The averaged values, in `parameters` order.
    public private(set) var shadow: [Tensor]
    /// Whether the averaged values are swapped into the parameters (see `swapParameters`).
    public private(set) var isSwapped = false

    /// Starts every shadow at a copy of its parameter's current value.
    public init(parameters: [NamedParameter], decay: Double = 0.9999, warmup: Bool = true) {
        checkUniqueNames(parameters, owner: "ExponentialMovingAverage")
        self.parameters = parameters
        self.decay = decay
        self.warmup = warmup
        shadow = parameters.map { parameter in
            // A separate buffer now, rather than a copy-on-write copy at the first optimizer step.
            var copy = parameter.variable.value
            copy.ensureUnique()
            return copy
        }
    }

    /// The decay used by `update(step:)` at this step.
    public func decay(at step: Int) -> Double {
        guard warmup else { return decay }
        let s = Double(max(step, 0))
        return min(decay, (1 + s) / (10 + s))
    }

    /// Folds the current parameter values into the averages; `step` is the 0-based index of the
    /// optimizer step just taken.
    public func update(step: Int) {
        precondition(
            !isSwapped, "ExponentialMovingAverage.update: the averaged weights are swapped in; swap back first")
        let weight = Float(1 - decay(at: step))
        for index in parameters.indices {
            let value = parameters[index].variable.value
            precondition(
                value.shape == shadow[index].shape,
                "ExponentialMovingAverage: parameter \(parameters[index].name) changed shape")
            let count = value.count
            value.withUnsafePointer { p in
                shadow[index].withUnsafeMutablePointer { s in
                    parallelChunks(count, minimumPerThread: 65_536) { range in
                        for i in range { s[i] += weight * (p[i] - s[i]) }
                    }
                }
            }
        }
    }

    /// Exchanges parameter values and averages (no copying): call once to evaluate with the
    /// averaged weights, and again to return to the trained ones.
    public func swapParameters() {
        for index in parameters.indices {
            let variable = parameters[index].variable
            swap(&variable.value, &shadow[index])
        }
        isSwapped.toggle()
    }

    /// Runs `body` with the averaged weights in the parameters and swaps back afterwards, also
    /// when `body` throws.
    public func withAveragedParameters<R>(_ body: () throws -> R) rethrows -> R {
        precondition(!isSwapped, "ExponentialMovingAverage: the averaged weights are already swapped in")
        swapParameters()
        defer { swapParameters() }
        return try body()
    }

    /// The averages by parameter name (the trained values' averages even while swapped in).
    public func averagesByName() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (index, parameter) in parameters.enumerated() {
            result[parameter.name] = isSwapped ? parameter.variable.value : shadow[index]
        }
        return result
    }

    /// Copies the averages into other parameters with the same names and shapes (e.g. a separate
    /// evaluation model). Nothing changes unless all of them match.
    public func copyAverages(to targets: [NamedParameter]) throws {
        try replaceValues(of: targets, with: averagesByName(), source: "EMA averages")
    }

    /// Replaces the averages (from a checkpoint); names and shapes must match exactly.
    public func loadAverages(_ averages: [String: Tensor], source: String) throws {
        precondition(!isSwapped, "ExponentialMovingAverage.loadAverages: swap the averaged weights back first")
        try checkSameNamesAndShapes(parameters, averages, what: "EMA average", source: source)
        shadow = parameters.map { averages[$0.name]! }
    }
}

/// Assigns `values` to `targets` by name after checking every name and shape.
func replaceValues(of targets: [NamedParameter], with values: [String: Tensor], source: String) throws {
    try checkSameNamesAndShapes(targets, values, what: "tensor", source: source)
    for target in targets { target.variable.value = values[target.name]! }
}

/// Throws unless `values` has exactly the names of `parameters`, each with the parameter's shape.
func checkSameNamesAndShapes(
    _ parameters: [NamedParameter], _ values: [String: Tensor], what: String,
    source: String
) throws {
    let expected = Set(parameters.map(\.name))
    let missing = expected.subtracting(values.keys).sorted()
    let unexpected = Set(values.keys).subtracting(expected).sorted()
    guard missing.isEmpty else {
        throw TrainingStateError(
            source: source,
            "missing \(what)\(missing.count == 1 ? "" : "s") for "
                + "\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? " and \(missing.count - 5) more" : "")"
        )
    }
    guard unexpected.isEmpty else {
        throw TrainingStateError(
            source: source,
            "unexpected \(what)\(unexpected.count == 1 ? "" : "s") "
                + "\(unexpected.prefix(5).joined(separator: ", "))\(unexpected.count > 5 ? " and \(unexpected.count - 5) more" : "")"
        )
    }
    for parameter in parameters {
        let shape = values[parameter.name]!.shape
        guard shape == parameter.variable.value.shape else {
            throw TrainingStateError(
                source: source,
                "\(what) \(parameter.name) has shape \(shape), the parameter has \(parameter.variable.value.shape)")
        }
    }
}
