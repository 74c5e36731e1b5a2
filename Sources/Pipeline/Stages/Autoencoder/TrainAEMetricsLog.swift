import FileFormats
import Foundation
import VQVAE

/// One line of `metrics.jsonl`: what a training step did.
public struct TrainAEStepRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    /// Weighted loss terms by name (l1, mse, gradient, commitment).
    public var terms: [String: Double]
    /// Mean PSNR of the batch's reconstructions (dB).
    public var psnr: Double
    public var learningRate: Double
    public var gradientNorm: Double
    /// Quantizer levels decoded (0 while the quantizer is bypassed).
    public var levels: Int
    /// Perplexity of each level's codes in the batch.
    public var perplexity: [Double]
    /// Codes re-seeded per level.
    public var restarts: [Int]
    public var stepSeconds: Double
    public var imagesPerSecond: Double
    /// Training seconds so far, over all invocations.
    public var elapsed: Double
    /// The step was skipped because the loss or the gradient was not finite.
    public var skipped: Bool
}

extension TrainAEStepRecord {
    /// The line of a trainer's step: `epoch` of its batch, `elapsed` the training seconds after it.
    init(_ report: AutoencoderStepReport, epoch: Int, elapsed: Double) {
        self.init(
            step: report.step, epoch: epoch, loss: report.loss, terms: report.terms, psnr: report.psnr,
            learningRate: report.learningRate, gradientNorm: report.gradientNorm, levels: report.levels,
            perplexity: report.perplexity, restarts: report.restarts, stepSeconds: report.seconds,
            imagesPerSecond: Double(report.samples) / report.seconds, elapsed: elapsed, skipped: report.skipped)
    }
}

/// The metrics log: one JSON object per line, appended as training goes. On resume, lines
/// past the checkpoint's step are dropped, so that the log of a resumed run is the log of an
/// uninterrupted one. Each record is also passed to `events` (TensorBoard), when given.
final class TrainAEMetricsLog {
    let url: URL
    let events: TrainingEventLog?
    private let handle: FileHandle
    private let encoder: JSONEncoder

    /// Opens the log; `keepThrough` keeps the lines of steps below it (resume), nil starts empty.
    init(url: URL, keepThrough step: Int?, events: TrainingEventLog? = nil) throws {
        self.url = url
        self.events = events
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var kept = Data()
        if let step, let text = try? String(contentsOf: url, encoding: .utf8) {
            let decoder = JSONDecoder()
            for line in text.split(separator: "\n") {
                guard let record = try? decoder.decode(TrainAEStepRecord.self, from: Data(line.utf8)),
                    record.step < step
                else { continue }
                kept.append(contentsOf: Array(line.utf8) + [UInt8(ascii: "\n")])
            }
        }
        try AtomicFile.write(kept, to: url)
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot open the metrics log: \(error.localizedDescription)")
        }
    }

    deinit {
        try? handle.close()
        events?.close()
    }

    func append(_ record: TrainAEStepRecord) throws {
        do {
            var data = try encoder.encode(record)
            data.append(UInt8(ascii: "\n"))
            try handle.write(contentsOf: data)
        } catch {
            throw FileFormatError(
                .writeFailed, path: url.path, "cannot append to the metrics log: \(error.localizedDescription)")
        }
        // TensorBoard counts steps done, as the grids' names and the flow's logs do (`step` is the 0-based index).
        events?.scalars(TrainingScalars.autoencoder(record), step: record.step + 1)
    }

    /// Reads every record of a log.
    static func read(_ url: URL) throws -> [TrainAEStepRecord] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FileFormatError(
                .unreadable, path: url.path, "cannot read the metrics log: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").enumerated().map { index, line in
            do {
                return try decoder.decode(TrainAEStepRecord.self, from: Data(line.utf8))
            } catch {
                throw FileFormatError(.malformed, path: url.path, "line \(index + 1) is not a step record: \(error)")
            }
        }
    }
}
