import Foundation

/// A value logged during training, placed on the training wall-clock.
public struct CurvePoint: Codable, Equatable, Sendable {
    public var step: Int
    /// Training time so far, in minutes.
    public var minutes: Double
    public var value: Double

    public init(step: Int, minutes: Double, value: Double) {
        self.step = step
        self.minutes = minutes
        self.value = value
    }
}

/// The loss and SWD curves of one training run, read from its `metrics.jsonl`.
///
/// The clock is `train_seconds` (cumulative training time, when the log has it); otherwise
/// `elapsed_seconds`, which restarts at zero in each resumed session, so a drop is read as a new
/// session and the earlier sessions' time is added to it. Eval lines (`"event": "eval"` with
/// `swd_mean`) give the SWD curve; every other line with a `loss` gives the loss curve. Non-finite values are left out.
public struct TrainingCurves: Codable, Equatable, Sendable {
    public var loss: [CurvePoint] = []
    public var swd: [CurvePoint] = []
    /// Whether the clock came from `train_seconds` (false: from `elapsed_seconds`).
    public var usesTrainSeconds = false

    public init() {}

    /// Training minutes at the last logged line (nil for an empty log).
    public var lastMinutes: Double? { (loss + swd).map(\.minutes).max() }

    /// Parses a log; a missing file gives empty curves, unparseable lines are skipped.
    public static func read(_ url: URL) throws -> TrainingCurves {
        guard FileManager.default.fileExists(atPath: url.path) else { return TrainingCurves() }
        return parse(try MetricsLog.read(url))
    }

    public static func parse(_ records: [[String: Any]]) -> TrainingCurves {
        var curves = TrainingCurves()
        curves.usesTrainSeconds = records.contains { number($0["train_seconds"]) != nil }
        var offset = 0.0, previous = 0.0
        for record in records {
            let seconds: Double
            if let train = number(record["train_seconds"]) {
                seconds = train
            } else if !curves.usesTrainSeconds, let elapsed = number(record["elapsed_seconds"]) {
                if elapsed < previous { offset += previous }
                previous = elapsed
                seconds = offset + elapsed
            } else {
                continue
            }
            let step = number(record["step"]).map { Int($0) } ?? 0
            if (record["event"] as? String) == "eval" {
                if let swd = number(record["swd_mean"]), swd.isFinite {
                    curves.swd.append(CurvePoint(step: step, minutes: seconds / 60, value: swd))
                }
            } else if let loss = number(record["loss"]), loss.isFinite {
                curves.loss.append(CurvePoint(step: step, minutes: seconds / 60, value: loss))
            }
        }
        return curves
    }

    /// A JSON number as a Double (JSONSerialization gives NSNumber). Not `is Bool`-filtered:
    /// on Linux an NSNumber holding 0 or 1 also casts to Bool.
    static func number(_ value: Any?) -> Double? {
        guard let value else { return nil }
        if let double = value as? Double { return double }
        if let int = value as? Int { return Double(int) }
        if let number = value as? NSNumber { return number.doubleValue }
        return nil
    }
}
