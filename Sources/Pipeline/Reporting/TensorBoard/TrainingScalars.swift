import Foundation

/// Which numbers of a metrics line become TensorBoard scalars, and under which tags. The tags are
/// the same for every training stage where they mean the same thing (`loss`, `learning_rate`,
/// `images_per_second`), so TensorBoard overlays the runs.
public enum TrainingScalars {
    /// A line of the flow trainer's `metrics.jsonl`: a training window (`loss`, `lr`, …) or an
    /// evaluation (`"event": "eval"`, `swd_mean`, `swd` per `swd_resolutions`).
    public static func flow(_ record: [String: Any]) -> [(tag: String, value: Double)] {
        var values: [(tag: String, value: Double)] = []
        for (key, tag) in [
            ("loss", "loss"), ("lr", "learning_rate"), ("images_per_second", "images_per_second"),
            ("grad_norm", "gradient_norm"), ("swd_mean", "swd/mean"),
        ] {
            if let value = TrainingCurves.number(record[key]) { values.append((tag, value)) }
        }
        if let levels = record["swd"] as? [Any], let resolutions = record["swd_resolutions"] as? [Any] {
            for (level, resolution) in zip(levels, resolutions) {
                guard let value = TrainingCurves.number(level), let pixels = TrainingCurves.number(resolution) else {
                    continue
                }
                values.append(("swd/\(Int(pixels))px", value))
            }
        }
        return values
    }

    /// A line of the autoencoder trainer's `metrics.jsonl`.
    public static func autoencoder(_ record: TrainAEStepRecord) -> [(tag: String, value: Double)] {
        var values: [(tag: String, value: Double)] = [
            ("loss", record.loss), ("psnr", record.psnr), ("learning_rate", record.learningRate),
            ("images_per_second", record.imagesPerSecond), ("gradient_norm", record.gradientNorm),
        ]
        values += record.terms.keys.sorted().map { ("loss_terms/\($0)", record.terms[$0]!) }
        values += record.perplexity.enumerated().map { ("perplexity/level_\($0.offset + 1)", $0.element) }
        return values
    }
}
