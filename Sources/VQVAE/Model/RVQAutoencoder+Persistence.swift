import FileFormats
import Foundation
import TensorCore

/// The model file: one safetensors file with the parameters (F32, under their dotted names), the
/// quantizer's buffers (`rvq.…`), and metadata `format`, `format_version` and `config` (the
/// `RVQAutoencoderConfig` as JSON), plus whatever the caller adds (training step, …).
extension RVQAutoencoder {
    public static let formatName = "fmf-rvq-autoencoder"
    public static let formatVersion = 1

    /// Parameters and quantizer buffers by name: everything that defines the trained model.
    public func stateTensors() -> [String: Tensor] {
        stateDictionary().merging(quantizer.buffers()) { parameter, _ in parameter }
    }

    /// Replaces parameters and buffers; names and shapes must match exactly and values be finite.
    /// Nothing changes unless everything fits. `source` names the origin in errors.
    public func loadState(_ tensors: [String: Tensor], source: String) throws {
        let bufferNames = Set(quantizer.bufferNames())
        let parameters = tensors.filter { !bufferNames.contains($0.key) }
        for (name, tensor) in parameters {
            if tensor.values.contains(where: { !$0.isFinite }) {
                throw FileFormatError(.malformed, path: source, "parameter '\(name)' holds a non-finite value")
            }
        }
        // Check both parts before changing either.
        let check = ResidualVectorQuantizer(quantizer.config)
        try check.loadBuffers(tensors, source: source)
        do {
            try loadStateDictionary(parameters, source: source)
        } catch let error as ModuleLoadError {
            throw FileFormatError(.malformed, path: source, error.message)
        }
        try quantizer.loadBuffers(tensors, source: source)
    }

    /// Writes the model atomically (temporary file in the same folder, then rename).
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, value) in stateTensors() {
            tensors[name] = SafetensorsTensor(floats: value.values, shape: value.shape)
        }
        var metadata = extra
        metadata["format"] = Self.formatName
        metadata["format_version"] = String(Self.formatVersion)
        metadata["config"] = try Self.configJSON(config, path: url.path)
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Reads a model written by `save(to:)`. Errors name the file and what is wrong with it.
    public static func load(from url: URL) throws -> RVQAutoencoder {
        let file = try SafetensorsFile.read(from: url)
        let config = try config(of: file, path: url.path)
        var generator = SeededGenerator(seed: 0)
        let model = RVQAutoencoder(config, generator: &generator)
        var tensors: [String: Tensor] = [:]
        for (name, entry) in file.tensors {
            let values: [Float]
            do {
                values = try entry.floats()
            } catch {
                throw FileFormatError(
                    .malformed, path: url.path, "tensor '\(name)' is \(entry.dtype.rawValue), expected F32")
            }
            tensors[name] = Tensor(shape: entry.shape, values: values)
        }
        try model.loadState(tensors, source: url.path)
        return model
    }

    /// The metadata of a model file (config, format, and what the writer added).
    public static func metadata(of url: URL) throws -> [String: String] {
        try SafetensorsFile.read(from: url).metadata
    }

    static func config(of file: SafetensorsFile, path: String) throws -> RVQAutoencoderConfig {
        guard file.metadata["format"] == formatName else {
            throw FileFormatError(
                .badMagic, path: path,
                "not an RVQ autoencoder (metadata 'format' is "
                    + "\(file.metadata["format"].map { "'\($0)'" } ?? "absent"), expected '\(formatName)')")
        }
        guard file.metadata["format_version"] == String(formatVersion) else {
            throw FileFormatError(
                .unsupported, path: path,
                "model format version \(file.metadata["format_version"] ?? "absent"), expected \(formatVersion)")
        }
        guard let text = file.metadata["config"] else {
            throw FileFormatError(.malformed, path: path, "metadata 'config' is missing")
        }
        let config = try JSONFile.decode(
            RVQAutoencoderConfig.self, from: Data(text.utf8), path: "\(path) (metadata 'config')")
        guard config.problems.isEmpty else {
            throw FileFormatError(
                .malformed, path: path, "unusable configuration: \(config.problems.joined(separator: "; "))")
        }
        return config
    }

    static func configJSON(_ config: RVQAutoencoderConfig, path: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(config), as: UTF8.self)
        } catch {
            throw FileFormatError(.writeFailed, path: path, "cannot encode the configuration: \(error)")
        }
    }
}
