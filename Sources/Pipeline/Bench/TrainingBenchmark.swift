import FileFormats
import Foundation
import LatentFlow
import TensorCore
import VQVAE

/// The three reference networks of `../shared/bench`, timed on Adam training steps with random data.
public enum BenchmarkPreset: String, CaseIterable, Sendable, Codable {
    case aelite
    case latentUNet = "latent-unet"
    case pixelUNet = "pixel-unet"

    public var defaultBatch: Int {
        switch self {
        case .aelite: return 16
        case .latentUNet: return 64
        case .pixelUNet: return 8
        }
    }

    /// Training FLOPs per image (forward + backward), from the reference's README.
    public var trainingFLOPsPerImage: Double {
        switch self {
        case .aelite: return 13.2e9
        case .latentUNet: return 2.3e9
        case .pixelUNet: return 70.4e9
        }
    }

    /// The reference's parameter count: the check that the Swift network is the same network.
    public var referenceParameterCount: Int {
        switch self {
        case .aelite: return 2_521_360
        case .latentUNet: return 7_308_228
        case .pixelUNet: return 26_765_091
        }
    }

    var inputShape: [Int] {
        switch self {
        case .aelite, .pixelUNet: return [3, 128, 128]
        case .latentUNet: return [4, 16, 16]
        }
    }
}

/// A network under benchmark: its module and one forward pass on a fixed batch.
struct BenchmarkNetwork {
    let module: Module
    let forward: (Variable) -> Variable

    init(preset: BenchmarkPreset, batch: Int, generator: inout SeededGenerator) {
        switch preset {
        case .aelite:
            let model = ConvAutoencoder(AutoencoderConfig(), generator: &generator)
            module = model
            forward = { model($0) }
        case .latentUNet, .pixelUNet:
            let model = VelocityUNet(preset == .latentUNet ? .latent : .pixel, generator: &generator)
            let times = (0..<batch).map { _ in generator.uniform() }
            let classes = (0..<batch).map { _ in generator.integer(below: model.config.classCount + 1) }
            module = model
            forward = { model($0, times: times, classes: classes) }
            self.times = times
            self.classes = classes
            return
        }
        times = []
        classes = []
    }

    /// The conditioning of the UNet presets (empty for the autoencoder).
    var times: [Float]
    var classes: [Int]
}

public struct TrainingBenchmarkResult: Sendable {
    public let preset: BenchmarkPreset
    public let parameterCount: Int
    public let batch: Int
    /// Seconds of each timed step (after warm-up).
    public let stepSeconds: [Double]
    public let peakMemoryBytes: Int

    public var medianStepSeconds: Double {
        stepSeconds.isEmpty ? .nan : stepSeconds.sorted()[stepSeconds.count / 2]
    }
    public var imagesPerSecond: Double { Double(batch) / medianStepSeconds }
    public var achievedGFLOPs: Double { imagesPerSecond * preset.trainingFLOPsPerImage / 1e9 }
}

/// One training step = forward, MSE loss against the input, backward, Adam update (lr 1e-4),
/// exactly as the PyTorch reference times it.
public enum TrainingBenchmark {
    public static func run(
        preset: BenchmarkPreset, batch: Int? = nil, steps: Int = 5, warmup: Int = 2,
        seed: UInt64 = 0, shouldStop: () -> Bool = { false },
        progress: ((Int, Double) -> Void)? = nil
    ) -> TrainingBenchmarkResult {
        let batch = batch ?? preset.defaultBatch
        var generator = SeededGenerator(seed: seed)
        let network = BenchmarkNetwork(preset: preset, batch: batch, generator: &generator)
        let input = Variable(Initialization.normal(shape: [batch] + preset.inputShape, generator: &generator))
        let optimizer = Adam(parameters: network.module.namedParameters(), learningRate: 1e-4)
        var seconds: [Double] = []
        for step in 0..<(warmup + steps) where !shouldStop() {
            let start = DispatchTime.now().uptimeNanoseconds
            optimizer.zeroGradients()
            let loss = mseLoss(network.forward(input), input)
            loss.backward()
            optimizer.step()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if step >= warmup { seconds.append(elapsed) }
            progress?(step, elapsed)
        }
        return TrainingBenchmarkResult(
            preset: preset, parameterCount: network.module.parameterCount, batch: batch,
            stepSeconds: seconds, peakMemoryBytes: ProcessMemory.peakResidentBytes() ?? 0)
    }

    /// Writes what is needed to check the network against PyTorch: the initial parameters
    /// (`param.<state_dict key>`), the input (`input.x`, and `input.t`, `input.y` for the UNets), the forward
    /// output (`output`) and the gradient of the MSE loss for every parameter (`grad.<key>`).
    public static func export(preset: BenchmarkPreset, batch: Int, seed: UInt64 = 0, to directory: URL) throws -> URL {
        var generator = SeededGenerator(seed: seed)
        let network = BenchmarkNetwork(preset: preset, batch: batch, generator: &generator)
        let x = Initialization.normal(shape: [batch] + preset.inputShape, generator: &generator)
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, variable) in network.module.namedParameters() {
            tensors["param." + name] = SafetensorsTensor(floats: variable.value.values, shape: variable.value.shape)
        }
        tensors["input.x"] = SafetensorsTensor(floats: x.values, shape: x.shape)
        if !network.times.isEmpty {
            tensors["input.t"] = SafetensorsTensor(floats: network.times, shape: [batch])
            tensors["input.y"] = SafetensorsTensor(int64s: network.classes.map { Int64($0) }, shape: [batch])
        }
        let input = Variable(x)
        let output = network.forward(input)
        mseLoss(output, input).backward()
        tensors["output"] = SafetensorsTensor(floats: output.value.values, shape: output.value.shape)
        for (name, variable) in network.module.namedParameters() {
            let grad = variable.grad ?? Tensor(zeros: variable.value.shape)
            tensors["grad." + name] = SafetensorsTensor(floats: grad.values, shape: grad.shape)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(preset.rawValue)-export.safetensors")
        try SafetensorsFile(
            tensors: tensors,
            metadata: [
                "preset": preset.rawValue, "batch": String(batch),
                "loss": "mse(output, input.x)",
            ]
        ).write(to: url)
        return url
    }
}
