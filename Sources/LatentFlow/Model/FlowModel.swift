import FileFormats
import Foundation
import TensorCore

/// A trained flow: the velocity network, the per-channel statistics of its training data (the
/// network works on standardised data) and the path it was trained on, plus free-form notes of
/// the caller's (data space, class names, training step…).
///
/// On disk: one safetensors file with the parameters under their dotted names and metadata
/// `format` = `fmf-flow-model`, `format_version`, `unet` (JSON `UNetConfig`), `statistics`
/// (JSON), `path`, `sample_shape` (JSON [C, H, W]) and `info` (a JSON object of strings).
public final class FlowModel {
    public static let formatName = "fmf-flow-model"
    public static let formatVersion = 1

    public let network: VelocityUNet
    public let statistics: ChannelStatistics
    public let path: FlowPath
    /// The shape of one sample, [C, H, W].
    public let sampleShape: [Int]
    public var info: [String: String]

    public init(
        network: VelocityUNet, statistics: ChannelStatistics, path: FlowPath, sampleShape: [Int],
        info: [String: String] = [:]
    ) {
        precondition(
            statistics.channels == network.config.channels,
            "FlowModel: \(statistics.channels)-channel statistics for a \(network.config.channels)-channel network")
        precondition(
            sampleShape.count == 3 && sampleShape[0] == network.config.channels,
            "FlowModel: sample shape \(sampleShape) for a \(network.config.channels)-channel network")
        self.network = network
        self.statistics = statistics
        self.path = path
        self.sampleShape = sampleShape
        self.info = info
    }

    public var config: UNetConfig { network.config }

    /// Writes the model atomically.
    public func save(to url: URL) throws {
        func json<T: Encodable>(_ value: T) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, variable) in network.namedParameters() {
            tensors[name] = SafetensorsTensor(floats: variable.value.values, shape: variable.value.shape)
        }
        let metadata = [
            "format": Self.formatName, "format_version": String(Self.formatVersion),
            "unet": try json(network.config), "statistics": try json(statistics),
            "path": path.rawValue, "sample_shape": try json(sampleShape), "info": try json(info),
        ]
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Reads a model written by `save(to:)`; errors name the file and what is wrong with it.
    public static func load(from url: URL) throws -> FlowModel {
        let path = url.path
        let file = try SafetensorsFile.read(from: url)
        let metadata = file.metadata
        guard metadata["format"] == formatName else {
            throw FileFormatError(
                .badMagic, path: path,
                "not a flow model (metadata 'format' is "
                    + "\(metadata["format"].map { "'\($0)'" } ?? "absent"), expected '\(formatName)')")
        }
        guard metadata["format_version"] == String(formatVersion) else {
            throw FileFormatError(
                .unsupported, path: path,
                "flow model format version \(metadata["format_version"] ?? "absent"), expected \(formatVersion)")
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = metadata[key] else {
                throw FileFormatError(.malformed, path: path, "metadata '\(key)' is missing")
            }
            return try JSONFile.decode(type, from: Data(text.utf8), path: "\(path) (metadata '\(key)')")
        }
        let config = try decode(UNetConfig.self, "unet")
        let statistics = try decode(ChannelStatistics.self, "statistics")
        let info = try decode([String: String].self, "info")
        let sampleShape = try decode([Int].self, "sample_shape")
        guard let flowPath = FlowPath(rawValue: metadata["path"] ?? "") else {
            throw FileFormatError(
                .malformed, path: path,
                "metadata 'path' is \(metadata["path"] ?? "absent"), "
                    + "expected one of \(FlowPath.allCases.map(\.rawValue))")
        }
        try config.validate(source: path)
        guard sampleShape.count == 3, sampleShape[0] == config.channels, sampleShape[1] > 0, sampleShape[2] > 0,
            sampleShape[1] % config.sideDivisor == 0, sampleShape[2] % config.sideDivisor == 0
        else {
            throw FileFormatError(
                .malformed, path: path, "sample shape \(sampleShape) does not fit the network \(config)")
        }
        guard statistics.channels == config.channels else {
            throw FileFormatError(
                .malformed, path: path,
                "statistics for \(statistics.channels) channels, the network has \(config.channels)")
        }
        // The few-step info picks the sampler: a shortcut method on a network that cannot take the
        // step size would be sampled as plain Euler steps, with nothing to say it is not what was trained.
        if let fewStep = try FewStepModelInfo(info: info, source: path),
            fewStep.method.conditionsOnStepSize != (config.stepSizeConditioned == true)
        {
            throw FileFormatError(
                .malformed, path: path,
                "few-step model: info '\(FewStepModelInfo.methodKey)' is '\(fewStep.method.rawValue)', which "
                    + (fewStep.method.conditionsOnStepSize ? "needs" : "has no use for")
                    + " the step-size input, but the network ('unet' stepSizeConditioned) "
                    + (config.stepSizeConditioned == true ? "has one" : "has none"))
        }
        var generator = SeededGenerator(seed: 0)
        let network = VelocityUNet(config, generator: &generator)
        var state: [String: Tensor] = [:]
        for (name, entry) in file.tensors {
            guard entry.dtype == .f32 || entry.dtype == .f16 else {
                throw FileFormatError(
                    .malformed, path: path, "tensor '\(name)' is \(entry.dtype.rawValue), expected F32")
            }
            state[name] = Tensor(shape: entry.shape, values: try entry.floats())
        }
        do {
            try network.loadStateDictionary(state, source: path)
        } catch let error as ModuleLoadError {
            throw FileFormatError(.malformed, path: path, error.message)
        }
        return FlowModel(network: network, statistics: statistics, path: flowPath, sampleShape: sampleShape, info: info)
    }
}
