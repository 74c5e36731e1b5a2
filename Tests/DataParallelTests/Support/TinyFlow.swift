import Foundation
import LatentFlow
import TensorCore

/// A flow trainer small enough for a unit test: a two-level UNet on 2×8×8 samples of 3 classes,
/// with every part of the step switched on (OT pairing, label dropout, clipping, AdamW, EMA).
func makeTinyFlowTrainer(batch: Int) throws -> FlowTrainer {
    let unet = UNetConfig(channels: 2, base: 8, multipliers: [1, 2], classCount: 3, attentionLevels: 1)
    var generator = SeededGenerator(seed: 3)
    let model = VelocityUNet(unet, generator: &generator)
    var config = FlowTrainingConfig()
    config.learningRate = 1e-3
    config.warmupSteps = 2
    config.scheduleSteps = 20
    config.optimalTransport = true
    config.emaDecay = 0.9
    config.gradientClip = 1
    config.seed = 17
    let shape = [2, 8, 8]
    let source = ClosureBatchSource(sampleShape: shape) { step in
        var generator = SeededGenerator(seed: SeedMixing.combine(9, UInt64(step)))
        let data = Initialization.normal(shape: [batch] + shape, generator: &generator)
        return FlowBatch(data: data, labels: (0..<batch).map { ($0 * 2 + step) % 3 })
    }
    return try FlowTrainer(model: model, config: config, statistics: .identity(channels: 2), source: source)
}

/// How far apart two trainings ended, parameter by parameter (lists of the same names and shapes).
///
/// The attention key bias (the middle third of each `qkv.bias`) is kept apart: softmax is blind
/// to a constant added to every key, so its exact gradient is zero and what backward computes is
/// rounding noise (~1e-9). AdamW divides that noise by its own running size, so the key bias moves
/// by up to the learning rate per step in a direction that the order of float sums decides: two
/// correct trainings may differ there by up to lr·steps, while every other weight agrees to ~1e-6.
struct WeightDifference {
    /// Largest absolute difference of all weights but the key biases.
    var weights: Float = 0
    /// Largest absolute difference of the key biases.
    var keyBiases: Float = 0
    /// All weights but the key biases: how many there are, and how many differ by more than
    /// `threshold` (given to `init`).
    var weightCount = 0
    var weightsAboveThreshold = 0

    init(_ a: [(name: String, value: [Float])], _ b: [(name: String, value: [Float])], threshold: Float = .infinity) {
        precondition(a.map(\.name) == b.map(\.name), "different parameter names")
        for (x, y) in zip(a, b) {
            precondition(x.value.count == y.value.count, "\(x.name): different sizes")
            let third = x.value.count / 3
            let keys = x.name.hasSuffix("qkv.bias") ? third..<(2 * third) : 0..<0
            for (i, (p, q)) in zip(x.value, y.value).enumerated() {
                if keys.contains(i) {
                    keyBiases = max(keyBiases, abs(p - q))
                } else {
                    weights = max(weights, abs(p - q))
                    weightCount += 1
                    if abs(p - q) > threshold { weightsAboveThreshold += 1 }
                }
            }
        }
    }
}
