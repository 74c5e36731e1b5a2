import Datasets
import FileFormats
import Foundation
import LatentFlow
import TensorCore

/// Writes `latents.h5` row batch by row batch, accumulating the per-channel statistics of the
/// training rows. The file is created under a temporary name (see `HDF5File.create`) and
/// appears at its final path only on `finish`.
final class LatentCacheWriter {
    let file: HDF5File
    let count: Int
    let latentShape: [Int]
    let levels: Int
    let augmentations: Int
    private var continuousAll: ChannelStatisticsAccumulator
    private var quantizedAll: ChannelStatisticsAccumulator
    private var continuousTrain: ChannelStatisticsAccumulator
    private var quantizedTrain: ChannelStatisticsAccumulator
    private(set) var trainRows = 0

    init(url: URL, count: Int, latentShape: [Int], levels: Int, augmentations: Int) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        file = try HDF5File.create(at: url)
        self.count = count
        self.latentShape = latentShape
        self.levels = levels
        self.augmentations = augmentations
        let c = latentShape[0]
        continuousAll = ChannelStatisticsAccumulator(channels: c)
        quantizedAll = continuousAll
        continuousTrain = continuousAll
        quantizedTrain = continuousAll
        let codeShape = [levels, latentShape[1], latentShape[2]]
        try file.createDataset("continuous", type: .float32, shape: [count] + latentShape)
        try file.createDataset("quantized", type: .float32, shape: [count] + latentShape)
        try file.createDataset("codes", type: .int16, shape: [count] + codeShape)
        if augmentations > 0 {
            try file.createDataset("augmented/continuous", type: .float32, shape: [count, augmentations] + latentShape)
            try file.createDataset("augmented/quantized", type: .float32, shape: [count, augmentations] + latentShape)
            try file.createDataset("augmented/codes", type: .int16, shape: [count, augmentations] + codeShape)
        }
    }

    /// The plain latents of consecutive rows.
    func write(_ batch: EncodedBatch, rows: [Int], train: [Bool]) throws {
        let range = try consecutive(rows)
        try file.dataset("continuous").write(batch.continuous.values, rows: range)
        try file.dataset("quantized").write(batch.quantized.values, rows: range)
        try file.dataset("codes").write(batch.codes, rows: range)
        continuousAll.add(batch.continuous)
        quantizedAll.add(batch.quantized)
        let trainIndices = train.indices.filter { train[$0] }
        trainRows += trainIndices.count
        if !trainIndices.isEmpty {
            continuousTrain.add(select(batch.continuous, trainIndices))
            quantizedTrain.add(select(batch.quantized, trainIndices))
        }
    }

    /// Variant `variant` (1…K) of consecutive rows: written into every row's slot `variant − 1`.
    func writeVariant(_ batch: EncodedBatch, rows: [Int], variant: Int) throws {
        _ = try consecutive(rows)
        let per = latentShape.reduce(1, *), codesPer = levels * latentShape[1] * latentShape[2]
        // Read-modify-write of the rows' full [K, …] blocks keeps the I/O to whole rows.
        let range = rows.first!..<(rows.last! + 1)
        for (name, values, size) in [
            ("augmented/continuous", batch.continuous.values, per),
            ("augmented/quantized", batch.quantized.values, per),
        ] {
            let dataset = try file.dataset(name)
            var block = try dataset.read(Float.self, rows: range)
            for k in rows.indices {
                let dst = (k * augmentations + variant - 1) * size
                block.replaceSubrange(dst..<(dst + size), with: values[(k * size)..<((k + 1) * size)])
            }
            try dataset.write(block, rows: range)
        }
        let codes = try file.dataset("augmented/codes")
        var block = try codes.read(Int16.self, rows: range)
        for k in rows.indices {
            let dst = (k * augmentations + variant - 1) * codesPer
            block.replaceSubrange(dst..<(dst + codesPer), with: batch.codes[(k * codesPer)..<((k + 1) * codesPer)])
        }
        try codes.write(block, rows: range)
    }

    var continuousStatistics: ChannelStatistics { (trainRows > 0 ? continuousTrain : continuousAll).statistics }
    var quantizedStatistics: ChannelStatistics { (trainRows > 0 ? quantizedTrain : quantizedAll).statistics }

    /// Writes labels, split, class names, statistics and attributes, and renames the file into place.
    func finish(labels: [Int], subsets: [DatasetSubset], classNames: [String], attributes: [String: String]) throws {
        try file.createDataset("labels", type: .int64, shape: [count]).write(labels.map { Int64($0) })
        try file.createDataset("split", type: .uint8, shape: [count]).write(subsets.map(\.rawValue))
        try file.writeStrings(classNames, to: "class_names")
        for (kind, statistics) in [("continuous", continuousStatistics), ("quantized", quantizedStatistics)] {
            try file.createDataset("\(kind)_mean", type: .float32, shape: [latentShape[0]]).write(statistics.mean)
            try file.createDataset("\(kind)_std", type: .float32, shape: [latentShape[0]]).write(statistics.std)
        }
        var all = attributes
        all["format"] = LatentCache.formatName
        all["version"] = String(LatentCache.formatVersion)
        all["count"] = String(count)
        all["levels"] = String(levels)
        all["augmentations"] = String(augmentations)
        // In name order: a file written twice from the same inputs is the same bytes.
        for (name, value) in all.sorted(by: { $0.key < $1.key }) { try file.setAttribute(name, value) }
        try file.commit()
    }

    /// Closes without committing: the temporary file is deleted.
    func abandon() { file.close() }

    private func consecutive(_ rows: [Int]) throws -> Range<Int> {
        guard let first = rows.first, rows == Array(first..<(first + rows.count)), first + rows.count <= count else {
            throw StageError("internal: encoder batches must be consecutive rows, got \(rows.prefix(4))…")
        }
        return first..<(first + rows.count)
    }

    private func select(_ tensor: Tensor, _ indices: [Int]) -> Tensor {
        let per = tensor.count / tensor.shape[0]
        let values = tensor.values
        return Tensor(
            shape: [indices.count] + tensor.shape.dropFirst(),
            values: indices.flatMap { values[($0 * per)..<(($0 + 1) * per)] })
    }
}
