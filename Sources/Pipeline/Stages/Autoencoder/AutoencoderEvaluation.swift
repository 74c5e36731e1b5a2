import Datasets
import FileFormats
import Foundation
import ImageMetrics
import TensorCore
import VQVAE

/// How well an RVQ autoencoder reconstructs held-out images, and how healthy its codebooks are.
public struct AutoencoderEvaluationReport: Codable, Equatable, Sendable {
    /// Mean PSNR (dB) and SSIM of one way of reconstructing.
    public struct Quality: Codable, Equatable, Sendable {
        /// nil: through the continuous latents; n: through the first n quantizer levels.
        public var levels: Int?
        public var psnr: Double
        public var ssim: Double
    }

    /// Code usage of one level over the evaluated images (all levels quantized).
    public struct LevelUsage: Codable, Equatable, Sendable {
        public var level: Int
        public var usedCodes: Int
        public var codebookSize: Int
        public var usedFraction: Double
        /// 2^entropy of the code distribution.
        public var perplexity: Double
        public var entropyBits: Double
    }

    public var subset: String
    public var images: Int
    /// Training step of the evaluated weights.
    public var step: Int?
    /// Whether the weights were the EMA averages.
    public var emaWeights: Bool
    public var continuous: Quality
    /// One entry per level count, 1...L.
    public var quantized: [Quality]
    public var codeUsage: [LevelUsage]
    /// Bits per image with fixed-length codes: L · positions · log2 K.
    public var bitsPerImage: Double
    /// The entropy bound: positions · Σ_levels H(level), what an ideal entropy coder would need.
    public var entropyBitsPerImage: Double
    /// Multi-scale sliced Wasserstein distance (×10³, finest level first) between the
    /// reconstructions through all levels and the original images: blur shows at the fine
    /// levels. nil for images too small for it.
    public var slicedWasserstein: SlicedWassersteinResult?
    public var seconds: Double
}

/// Evaluation of an RVQ autoencoder on a held-out subset of a dataset cache: every image is
/// encoded once, then decoded from the continuous latents and from 1...L quantizer levels.
public enum AutoencoderEvaluation {
    /// - Parameters:
    ///   - limit: evaluate only the first `limit` images of the subset (nil: all).
    ///   - reconstructionsFolder: if given, the reconstructions through all levels are written
    ///     there as PNG files named by cache row (`row-000123.png`), e.g. to score their
    ///     sharpness with `pipeline evaluate`.
    ///   - progress: called with (images done, images in all).
    public static func evaluate(
        model: RVQAutoencoder, cache: DatasetCache, subset: DatasetSubset, batchSize: Int = 16,
        limit: Int? = nil, step: Int? = nil, emaWeights: Bool = false,
        reconstructionsFolder: URL? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> AutoencoderEvaluationReport {
        if let reconstructionsFolder {
            do {
                try FileManager.default.createDirectory(at: reconstructionsFolder, withIntermediateDirectories: true)
            } catch {
                throw FileFormatError(
                    .writeFailed, path: reconstructionsFolder.path,
                    "cannot create the folder: \(error.localizedDescription)")
            }
        }
        let start = ProgressReporter.monotonicSeconds()
        let reader = try SequentialReader(cache: cache, subsets: [subset], batchSize: batchSize)
        let total = min(reader.rows.count, limit ?? reader.rows.count)
        guard total > 0 else {
            throw DatasetError(.emptyDataset, "\(cache.folder.path): no \(subset) images to evaluate on")
        }
        guard cache.size == model.config.imageSize else {
            throw DatasetError(
                .invalidArgument,
                "\(cache.folder.path): images are \(cache.size) px, the model expects \(model.config.imageSize) px")
        }
        let levels = model.config.quantizer.levels
        var psnr = [Double](repeating: 0, count: levels + 1), ssim = [Double](repeating: 0, count: levels + 1)
        var usage = CodeUsage(levels: levels, codebookSize: model.config.quantizer.codebookSize)
        // 8-bit HWC copies of originals and full-level reconstructions, for the SWD at the end.
        var originalBytes: [UInt8] = [], reconstructedBytes: [UInt8] = []
        var done = 0
        for index in 0..<reader.batchCount where done < total {
            let batch = try reader.batch(index)
            var images = batch.images
            let n = min(images.shape[0], total - done)
            if n < images.shape[0] { images = slice(images, count: n) }
            let side = images.shape[2]
            originalBytes += try ImageTensorConversion.hwcBytes(
                fromNCHW: images.values, count: n, height: side, width: side)
            let latents = withoutGradients { model.encodeContinuous(Variable(images)).value }
            // Row 0: continuous; row l: l levels.
            for variant in 0...levels {
                let input = variant == 0 ? latents : model.quantize(latents, levels: variant).quantized
                let output = withoutGradients { model.decode(Variable(input)).value }
                psnr[variant] += ImageQuality.psnr(output, images).reduce(0, +)
                ssim[variant] += ImageQuality.ssim(output, images).reduce(0, +)
                if variant == levels {
                    reconstructedBytes += try ImageTensorConversion.hwcBytes(
                        fromNCHW: output.values, count: n, height: side, width: side)
                }
                if variant == levels, let reconstructionsFolder {
                    let pictures = try ImageTensorConversion.images(
                        fromNCHW: output.values, count: n, height: side, width: side)
                    for (k, picture) in pictures.enumerated() {
                        try PNGImage.write(
                            picture,
                            to: reconstructionsFolder.appendingPathComponent(
                                String(format: "row-%06d.png", batch.rows[k])))
                    }
                }
            }
            usage.add(codes: model.quantize(latents).codes, count: n, levels: levels)
            done += n
            progress?(done, total)
        }
        let imageSide = cache.size
        var swd: SlicedWassersteinResult?
        if imageSide >= SlicedWassersteinOptions().minimumResolution {
            let metric = try SlicedWassersteinDistance()
            swd = try metric.distance(
                ImageSet(count: done, height: imageSide, width: imageSide, pixels: reconstructedBytes),
                ImageSet(count: done, height: imageSide, width: imageSide, pixels: originalBytes))
        }
        let positions = model.config.latentSide * model.config.latentSide
        let qualities = (0...levels).map {
            AutoencoderEvaluationReport.Quality(
                levels: $0 == 0 ? nil : $0, psnr: psnr[$0] / Double(done), ssim: ssim[$0] / Double(done))
        }
        let perLevel = (0..<levels).map {
            AutoencoderEvaluationReport.LevelUsage(
                level: $0, usedCodes: usage.usedCodes(level: $0),
                codebookSize: model.config.quantizer.codebookSize,
                usedFraction: usage.usedFraction(level: $0),
                perplexity: usage.perplexity(level: $0), entropyBits: usage.entropyBits(level: $0))
        }
        return AutoencoderEvaluationReport(
            subset: subset.description, images: done, step: step, emaWeights: emaWeights, continuous: qualities[0],
            quantized: Array(qualities.dropFirst()), codeUsage: perLevel,
            bitsPerImage: Double(levels * positions) * model.config.quantizer.bitsPerCode,
            entropyBitsPerImage: Double(positions) * perLevel.map(\.entropyBits).reduce(0, +),
            slicedWasserstein: swd, seconds: ProgressReporter.monotonicSeconds() - start)
    }

    /// The report as a table for the terminal.
    public static func table(_ report: AutoencoderEvaluationReport) -> [String] {
        func row(_ label: String, _ q: AutoencoderEvaluationReport.Quality) -> String {
            label.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%9.2f  %7.4f", q.psnr, q.ssim)
        }
        var lines = [
            "held-out evaluation: \(report.images) \(report.subset) images"
                + (report.step.map { " at step \($0)" } ?? "") + (report.emaWeights ? " (EMA weights)" : ""),
            "reconstruction  PSNR dB     SSIM",
        ]
        lines.append(row("continuous", report.continuous))
        for q in report.quantized { lines.append(row("\(q.levels ?? 0) level\(q.levels == 1 ? "" : "s")", q)) }
        lines.append("level  codes used   perplexity  entropy bits")
        for u in report.codeUsage {
            lines.append(
                String(
                    format: "%5d  %4d/%-4d %3.0f%%  %10.1f  %12.2f", u.level, u.usedCodes, u.codebookSize,
                    u.usedFraction * 100, u.perplexity, u.entropyBits))
        }
        lines.append(
            String(
                format: "bits per image: %.0f (fixed-length codes), %.0f (entropy bound)",
                report.bitsPerImage, report.entropyBitsPerImage))
        if let swd = report.slicedWasserstein {
            lines.append(
                "SWD×10³ of the reconstructions (all levels) to the originals: "
                    + zip(swd.resolutions, swd.perLevel).map { String(format: "%d px %.1f", $0, $1) }.joined(
                        separator: ", ")
                    + String(format: ", mean %.1f", swd.mean))
        }
        return lines
    }

    /// The first `count` images of a batch.
    static func slice(_ images: Tensor, count: Int) -> Tensor {
        let per = images.count / images.shape[0]
        var shape = images.shape
        shape[0] = count
        return Tensor(shape: shape, values: Array(images.values[0..<(count * per)]))
    }
}
