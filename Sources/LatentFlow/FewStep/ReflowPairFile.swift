import FileFormats
import Foundation
import TensorCore

/// `reflow-pairs.h5`, the cache of teacher outputs: float32 `noise` and `endpoints` [N, C, H, W],
/// int64 `classes` [N], and root attributes `format`, `version` and `provenance` (JSON
/// `ReflowPairProvenance`: teacher hash, count, seed, sampler, guidance). Written under a
/// temporary name and renamed into place complete (`HDF5File.create`), as the latent cache is.
public enum ReflowPairFile {
    public static let fileName = "reflow-pairs.h5"
    public static let formatName = "fmf-reflow-pairs"
    public static let formatVersion = 1

    public static func write(_ pairs: ReflowPairs, provenance: ReflowPairProvenance, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let file = try HDF5File.create(at: url)
        do {
            try file.createDataset("noise", type: .float32, shape: pairs.noise.shape).write(pairs.noise.values)
            try file.createDataset("endpoints", type: .float32, shape: pairs.endpoints.shape).write(
                pairs.endpoints.values)
            try file.createDataset("classes", type: .int64, shape: [pairs.count]).write(pairs.classes.map { Int64($0) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try file.setAttribute("format", formatName)
            try file.setAttribute("provenance", String(decoding: try encoder.encode(provenance), as: UTF8.self))
            try file.setAttribute("version", String(formatVersion))
            try file.commit()
        } catch {
            file.close()
            throw error
        }
    }

    /// The provenance of the file at `url` (nil when there is no file). Errors name the file.
    public static func provenance(at url: URL) throws -> ReflowPairProvenance? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try HDF5File.open(at: url)
        defer { file.close() }
        return try checkedProvenance(file, url: url)
    }

    /// Reads and checks the pairs; `classCount` is the network's (classes may be 0...classCount,
    /// the last meaning none). Errors name the file and what is wrong.
    public static func read(from url: URL, classCount: Int) throws -> (
        pairs: ReflowPairs, provenance: ReflowPairProvenance
    ) {
        let file = try HDF5File.open(at: url)
        defer { file.close() }
        func bad(_ message: String) -> FileFormatError { FileFormatError(.malformed, path: url.path, message) }
        let provenance = try checkedProvenance(file, url: url)
        let noise = try file.dataset("noise"), endpoints = try file.dataset("endpoints"),
            classes = try file.dataset("classes")
        guard noise.elementType == .float32, noise.shape.count == 4, endpoints.elementType == .float32,
            endpoints.shape == noise.shape
        else {
            throw bad(
                "'noise' is \(noise.elementType.rawValue) \(noise.shape) and 'endpoints' \(endpoints.elementType.rawValue) "
                    + "\(endpoints.shape); expected float32 [N, C, H, W] both")
        }
        guard classes.elementType == .int64, classes.shape == [noise.shape[0]], noise.shape[0] == provenance.count
        else {
            throw bad(
                "'classes' is \(classes.elementType.rawValue) \(classes.shape) for \(noise.shape[0]) pairs "
                    + "(provenance says \(provenance.count)); expected int64 [N]")
        }
        let labels = try classes.read(Int64.self).map { Int($0) }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 > classCount }) {
            throw bad("pair \(i) has class \(labels[i]), outside 0...\(classCount)")
        }
        let z = Tensor(shape: noise.shape, values: try noise.read(Float.self))
        let x = Tensor(shape: endpoints.shape, values: try endpoints.read(Float.self))
        if let i = z.values.firstIndex(where: { !$0.isFinite }) ?? x.values.firstIndex(where: { !$0.isFinite }) {
            throw bad("non-finite value at element \(i)")
        }
        return (try ReflowPairs(noise: z, endpoints: x, classes: labels), provenance)
    }

    private static func checkedProvenance(_ file: HDF5File, url: URL) throws -> ReflowPairProvenance {
        guard try file.attribute("format") == formatName else {
            throw FileFormatError(
                .badMagic, path: url.path, "not a reflow pair cache (attribute 'format' is not '\(formatName)')")
        }
        guard try file.attribute("version") == String(formatVersion) else {
            throw FileFormatError(
                .unsupported, path: url.path,
                "reflow pair cache version \(try file.attribute("version") ?? "absent"), expected \(formatVersion)")
        }
        guard let text = try file.attribute("provenance") else {
            throw FileFormatError(.malformed, path: url.path, "attribute 'provenance' is missing")
        }
        return try JSONFile.decode(
            ReflowPairProvenance.self, from: Data(text.utf8), path: "\(url.path) (attribute 'provenance')")
    }
}
