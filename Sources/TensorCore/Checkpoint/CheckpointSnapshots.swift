/// An optimizer as a checkpoint holds it: which algorithm, its hyper-parameters at save time
/// (including the learning rate then in force), and its per-parameter state.
public struct OptimizerSnapshot: Sendable, Equatable {
    public var algorithm: String
    public var hyperParameters: [String: Double]
    public var state: OptimizerState

    public init(algorithm: String, hyperParameters: [String: Double], state: OptimizerState) {
        self.algorithm = algorithm
        self.hyperParameters = hyperParameters
        self.state = state
    }

    public init(of optimizer: any Optimizer) {
        self.init(
            algorithm: optimizer.algorithmName, hyperParameters: optimizer.hyperParameters,
            state: optimizer.exportState())
    }
}

/// An EMA as a checkpoint holds it: its settings and the averages by parameter name.
public struct EMASnapshot: Sendable, Equatable {
    public var decay: Double
    public var warmup: Bool
    public var averages: [String: Tensor]

    public init(decay: Double, warmup: Bool, averages: [String: Tensor]) {
        self.decay = decay
        self.warmup = warmup
        self.averages = averages
    }

    public init(of ema: ExponentialMovingAverage) {
        self.init(decay: ema.decay, warmup: ema.warmup, averages: ema.averagesByName())
    }
}

/// The JSON documents stored as metadata strings.
struct OptimizerDescription: Codable {
    var algorithm: String
    var hyper_parameters: [String: Double]
}

struct EMADescription: Codable {
    var decay: Double
    var warmup: Bool
}
