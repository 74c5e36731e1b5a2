import FileFormats
import Foundation
import TensorCore

/// The file `generate --latents-only` writes and `generate --from-latents` and `train-ae
/// --generated-latents` read: `latents` float32 [N, C, h, w] as sampled, `snapped` (with --snap)
/// and `labels` int64 [N], in safetensors (`latents.safetensors`) or HDF5 (`latents.h5`).
struct GeneratedLatentsFile {
    var latents: Tensor
    /// Class id of each latent (nil: the file has none).
    var labels: [Int]?

    static let formatName = "fmf-generated-latents"
    static let safetensorsName = "latents.safetensors"
    static let hdf5Name = "latents.h5"

    /// Writes `latents` (and `snapped`) with their `labels` into `folder`; returns the file name.
    static func write(
        latents: Tensor, snapped: Tensor?, labels: [Int], format: GenerateStage.LatentsFormat,
        folder: URL
    ) throws -> String {
        switch format {
        case .safetensors:
            var tensors = [
                "latents": SafetensorsTensor(floats: latents.values, shape: latents.shape),
                "labels": SafetensorsTensor(int64s: labels.map { Int64($0) }, shape: [labels.count]),
            ]
            if let snapped { tensors["snapped"] = SafetensorsTensor(floats: snapped.values, shape: snapped.shape) }
            try SafetensorsFile(tensors: tensors, metadata: ["format": formatName])
                .write(to: folder.appendingPathComponent(safetensorsName))
            return safetensorsName
        case .hdf5:
            let file = try HDF5File.create(at: folder.appendingPathComponent(hdf5Name))
            defer { file.close() }
            try file.createDataset("latents", type: .float32, shape: latents.shape).write(latents.values)
            if let snapped {
                try file.createDataset("snapped", type: .float32, shape: snapped.shape).write(snapped.values)
            }
            try file.createDataset("labels", type: .int64, shape: [labels.count]).write(labels.map { Int64($0) })
            try file.setAttribute("format", formatName)
            try file.commit()
            return hdf5Name
        }
    }

    /// Reads the latents (as sampled, not snapped) and labels of a file in either format and
    /// checks that they are latents of `latentShape` ([C, h, w]) with one label each.
    static func read(_ url: URL, latentShape: [Int]) throws -> GeneratedLatentsFile {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileFormatError(
                .notFound, path: url.path,
                "no generated latents here; make them with "
                    + "`pipeline generate --latents-only`")
        }
        let shape: [Int], values: [Float], labels: [Int64]?
        if url.pathExtension.lowercased() == "safetensors" {
            let file = try SafetensorsFile.read(from: url)
            guard let tensor = file.tensors["latents"] else {
                throw FileFormatError(
                    .malformed, path: url.path,
                    "no tensor 'latents' (found: "
                        + file.tensors.keys.sorted().joined(separator: ", ") + ")")
            }
            shape = tensor.shape
            values = try tensor.floats()
            labels = try file.tensors["labels"].map { try $0.int64s() }
        } else {
            let file = try HDF5File.open(at: url)
            defer { file.close() }
            guard try file.exists("latents") else {
                throw FileFormatError(.malformed, path: url.path, "no dataset 'latents'")
            }
            let dataset = try file.dataset("latents")
            guard dataset.elementType == .float32 else {
                throw FileFormatError(
                    .unsupported, path: url.path, "'latents' is \(dataset.elementType.rawValue), expected float32")
            }
            shape = dataset.shape
            values = try dataset.read(Float.self)
            labels = try file.exists("labels") ? try file.dataset("labels").read(Int64.self) : nil
        }
        guard shape.count == 4, Array(shape.dropFirst()) == latentShape, shape[0] > 0 else {
            throw FileFormatError(.unsupported, path: url.path, "'latents' is \(shape); expected [N] + \(latentShape)")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw FileFormatError(.malformed, path: url.path, "'latents' holds values that are not finite")
        }
        if let labels, labels.count != shape[0] {
            throw FileFormatError(.malformed, path: url.path, "\(labels.count) labels for \(shape[0]) latents")
        }
        return GeneratedLatentsFile(latents: Tensor(shape: shape, values: values), labels: labels?.map { Int($0) })
    }
}
