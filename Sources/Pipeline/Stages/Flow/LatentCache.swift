import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore

/// `latents.h5`, the latent cache `pipeline encode` writes and `pipeline train-flow` reads:
/// - `continuous`: float32 [N, C, h, w], the encoder's latents of the centre-cropped images;
/// - `quantized`: float32 [N, C, h, w], the same after the residual quantizer (all levels);
/// - `codes`: int16 [N, L, h, w], the code indices per level;
/// - `labels`: int64 [N]; `split`: uint8 [N] (0 train, 1 validation, 2 test), as in the dataset;
/// - `class_names`: [K] strings;
/// - `continuous_mean`, `continuous_std`, `quantized_mean`, `quantized_std`: float32 [C],
///   per-channel statistics over the training rows (all rows when there are none);
/// - with K > 0 frozen augmentations: `augmented/continuous` and `augmented/quantized` float32
///   [N, K, C, h, w] and `augmented/codes` int16 [N, K, L, h, w];
/// - root attributes: `format`, `version`, `count`, `levels`, `augmentations`,
///   `augmentation_kinds` (comma-separated, one per variant), `image_size`,
///   `autoencoder_sha256`, `autoencoder_path`, `dataset_manifest_sha256`.
///
/// The file is created under a temporary name and renamed into place when complete.
public final class LatentCache {
    public static let fileName = "latents.h5"
    public static let formatName = "fmf-latent-cache"
    public static let formatVersion = 1

    public enum Kind: String, CaseIterable, Codable, Sendable {
        case continuous, quantized
    }

    public let url: URL
    public let file: HDF5File
    public let count: Int
    /// [C, h, w] of one latent.
    public let latentShape: [Int]
    public let levels: Int
    public let augmentations: Int
    public let labels: [Int]
    public let subsets: [DatasetSubset]
    public let classNames: [String]
    public let autoencoderSHA256: String
    public let imageSize: Int

    /// Opens and checks a cache; errors name the file and what is wrong.
    public init(url: URL) throws {
        self.url = url
        let file = try HDF5File.open(at: url)
        self.file = file
        func bad(_ message: String) -> FileFormatError { FileFormatError(.malformed, path: url.path, message) }
        guard try file.attribute("format") == Self.formatName else {
            throw bad("not a latent cache (attribute 'format' is not '\(Self.formatName)')")
        }
        guard try file.attribute("version") == String(Self.formatVersion) else {
            throw bad(
                "latent cache version \(try file.attribute("version") ?? "?") is not \(Self.formatVersion); encode again"
            )
        }
        let continuous = try file.dataset("continuous")
        guard continuous.elementType == .float32, continuous.shape.count == 4 else {
            throw bad(
                "'continuous' is \(continuous.elementType.rawValue) \(continuous.shape), expected float32 [N, C, h, w]")
        }
        count = continuous.shape[0]
        latentShape = Array(continuous.shape.dropFirst())
        let quantized = try file.dataset("quantized")
        guard quantized.shape == continuous.shape else {
            throw bad("'quantized' is \(quantized.shape), 'continuous' \(continuous.shape)")
        }
        let codes = try file.dataset("codes")
        guard codes.elementType == .int16, codes.shape.count == 4, codes.shape[0] == count,
            Array(codes.shape.dropFirst(2)) == Array(latentShape.dropFirst())
        else {
            throw bad(
                "'codes' is \(codes.elementType.rawValue) \(codes.shape), expected int16 [\(count), L, \(latentShape[1]), \(latentShape[2])]"
            )
        }
        levels = codes.shape[1]
        let n = count
        let labels = try file.dataset("labels").read(Int64.self).map { Int($0) }
        let split = try file.dataset("split").read(UInt8.self)
        let classNames = try file.readStrings("class_names")
        guard labels.count == n, split.count == n else {
            throw bad("\(n) latents but \(labels.count) labels and \(split.count) split entries")
        }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw bad("row \(i) has label \(labels[i]), outside the \(classNames.count) classes")
        }
        var subsets: [DatasetSubset] = []
        for (i, code) in split.enumerated() {
            guard let subset = DatasetSubset(rawValue: code) else { throw bad("row \(i) has split code \(code)") }
            subsets.append(subset)
        }
        self.labels = labels
        self.classNames = classNames
        self.subsets = subsets
        augmentations = Int(try file.attribute("augmentations") ?? "0") ?? 0
        if augmentations > 0 {
            // Every augmented dataset is read with these shapes: a shorter one would be read past its end.
            let expected = [
                "augmented/continuous": [n, augmentations] + latentShape,
                "augmented/quantized": [n, augmentations] + latentShape,
                "augmented/codes": [n, augmentations, levels] + Array(latentShape.dropFirst()),
            ]
            for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
                let augmented = try file.dataset(name)
                guard augmented.shape == shape else { throw bad("'\(name)' is \(augmented.shape), expected \(shape)") }
            }
        }
        autoencoderSHA256 = try file.attribute("autoencoder_sha256") ?? ""
        imageSize = Int(try file.attribute("image_size") ?? "0") ?? 0
    }

    /// Rows in the given subsets (all for nil), ascending.
    public func rows(in subsets: Set<DatasetSubset>?) -> [Int] {
        guard let subsets else { return Array(0..<count) }
        return (0..<count).filter { subsets.contains(self.subsets[$0]) }
    }

    /// The stored per-channel statistics of a kind.
    public func statistics(_ kind: Kind) throws -> ChannelStatistics {
        try checkedStatistics(kind)
    }

    /// Latents of `rows`: [n, C, h, w], or with `variants` [n, 1 + K, C, h, w] where variant 0
    /// is the plain image and 1…K its frozen augmentations.
    public func latents(_ kind: Kind, rows: [Int], variants: Bool = false) throws -> Tensor {
        let all = try file.dataset(kind.rawValue).read(Float.self)
        let per = latentShape.reduce(1, *)
        let v = variants ? 1 + augmentations : 1
        let augmented = variants && augmentations > 0 ? try checkedAugmentedLatents(kind) : []
        var values = [Float](repeating: 0, count: rows.count * v * per)
        for (k, row) in rows.enumerated() {
            guard row >= 0 && row < count else {
                throw FileFormatError(.malformed, path: url.path, "row \(row) outside 0..<\(count)")
            }
            let base = k * v * per
            values.replaceSubrange(base..<(base + per), with: all[(row * per)..<((row + 1) * per)])
            for a in 0..<(v - 1) {
                let src = (row * augmentations + a) * per
                values.replaceSubrange(
                    (base + (a + 1) * per)..<(base + (a + 2) * per), with: augmented[src..<(src + per)])
            }
        }
        return Tensor(shape: (variants ? [rows.count, v] : [rows.count]) + latentShape, values: values)
    }

    /// Code indices [n, L, h, w] of `rows`; a row outside the cache or a negative code is an
    /// error naming the file (codes index codebooks: a bad one must never reach a table read).
    public func codes(rows: [Int]) throws -> [Int16] {
        if let row = rows.first(where: { $0 < 0 || $0 >= count }) {
            throw FileFormatError(.malformed, path: url.path, "row \(row) outside 0..<\(count)")
        }
        let all = try file.dataset("codes").read(Int16.self)
        let per = levels * latentShape[1] * latentShape[2]
        let codes = rows.flatMap { all[($0 * per)..<(($0 + 1) * per)] }
        if let i = codes.firstIndex(where: { $0 < 0 }) {
            throw FileFormatError(
                .malformed, path: url.path, "'codes' holds the negative code \(codes[i]) (row \(rows[i / per]))")
        }
        return codes
    }
}
