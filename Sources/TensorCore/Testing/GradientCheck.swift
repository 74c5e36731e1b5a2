/// Finite-difference check of an operation's analytic gradients.
///
/// The function's output is reduced with fixed random weights, `L = Σ r·f(x)`, so every
/// output element matters; each checked input element is nudged by ±ε and the central
/// difference of L compared with the gradient from `backward()`. Public so that every
/// module's tests can check their own layers.
public enum GradientCheck {
    public struct Result: CustomStringConvertible {
        /// Worst error per input: |analytic − numeric| / max(1, |numeric|, |analytic|) .
        public let maxErrors: [Float]
        public var worst: Float { maxErrors.max() ?? 0 }
        public var description: String { "gradient check errors per input: \(maxErrors)" }
    }

    /// - Parameters:
    ///   - inputs: values of the inputs; those with `differentiable[i] == false` are passed as constants.
    ///   - samplesPerInput: at most this many elements per input are checked (chosen at random).
    public static func run(
        inputs: [Tensor], differentiable: [Bool]? = nil, epsilon: Float = 1e-2,
        samplesPerInput: Int = 24, seed: UInt64 = 7,
        _ function: ([Variable]) -> Variable
    ) -> Result {
        let differentiable = differentiable ?? inputs.map { _ in true }
        var generator = SeededGenerator(seed: seed)
        let variables = zip(inputs, differentiable).map { $1 ? Variable(parameter: $0) : Variable($0) }
        let output = function(variables)
        let weights = Initialization.normal(shape: output.shape, generator: &generator)
        output.backward(seed: weights)

        func objective(_ values: [Tensor]) -> Double {
            withoutGradients {
                let y = function(values.map { Variable($0) }).value
                var total = 0.0
                for i in 0..<y.count { total += Double(y[flat: i]) * Double(weights[flat: i]) }
                return total
            }
        }

        var errors: [Float] = []
        for (index, input) in inputs.enumerated() where differentiable[index] {
            let analytic = variables[index].grad ?? Tensor(zeros: input.shape)
            var worst: Float = 0
            let picks =
                input.count <= samplesPerInput
                ? Array(0..<input.count)
                : (0..<samplesPerInput).map { _ in generator.integer(below: input.count) }
            for element in picks {
                var plus = inputs, minus = inputs
                plus[index][flat: element] += epsilon
                minus[index][flat: element] -= epsilon
                let numeric = Float((objective(plus) - objective(minus)) / Double(2 * epsilon))
                let a = analytic[flat: element]
                let error = abs(a - numeric) / max(1, abs(numeric), abs(a))
                worst = max(worst, error)
            }
            errors.append(worst)
        }
        return Result(maxErrors: errors)
    }
}
