import Foundation

/// Short human-readable forms of durations, rates, sizes and numbers for progress lines and
/// reports. Pure functions, so every form can be tested.
public enum ReportFormat {
    /// A duration in the two largest units: "0.4s", "12s", "3m05s", "1h02m", "2d03h".
    /// Negative, infinite or NaN durations give "?".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 0.95 {
            return String(format: "%.1fs", seconds)
        }
        let whole = seconds >= 1e12 ? Int(1e12) : Int(seconds.rounded())
        let (minutes, s) = whole.quotientAndRemainder(dividingBy: 60)
        let (hours, m) = minutes.quotientAndRemainder(dividingBy: 60)
        let (days, h) = hours.quotientAndRemainder(dividingBy: 24)
        if days > 0 { return "\(days)d" + twoDigits(h) + "h" }
        if hours > 0 { return "\(hours)h" + twoDigits(m) + "m" }
        if minutes > 0 { return "\(minutes)m" + twoDigits(s) + "s" }
        return "\(s)s"
    }

    /// A rate of `unit`s per second: "12.3 it/s", "1.25k img/s"; below one per second it turns
    /// into time per item, which reads better for slow steps: "2.5 s/it", "1m05s/it".
    /// Zero, negative or non-finite rates give "-- unit/s".
    public static func rate(_ perSecond: Double, unit: String = "it") -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "-- \(unit)/s" }
        if perSecond < 1 {
            let secondsEach = 1 / perSecond
            if secondsEach < 60 { return String(format: "%.1f s/%@", secondsEach, unit) }
            return "\(duration(secondsEach))/\(unit)"
        }
        return "\(scaled(perSecond)) \(unit)/s"
    }

    /// A count with three significant digits and a k/M/G suffix from ten thousand up:
    /// "7", "12.3", "9999", "12.3k", "4.56M", "7.31M". A suffix changes where three digits of the
    /// smaller one would round up to 1000 ("1M", not "1e+03k").
    public static func scaled(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 999.5e6 { return String(format: "%.3gG", value / 1e9) }
        if magnitude >= 999.5e3 { return String(format: "%.3gM", value / 1e6) }
        if magnitude >= 1e4 { return String(format: "%.3gk", value / 1e3) }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// A fraction as a whole percentage, rounded down so that "100%" means done: "42%".
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "?%" }
        let clamped = min(max(fraction, 0), 1)
        // The tiny allowance keeps 0.29 (stored as 0.28999…) at 29%.
        return "\(Int((clamped * 100 + 1e-9).rounded(.down)))%"
    }

    /// A byte count in binary units: "512 B", "1.5 KiB", "120 MiB", "1.23 GiB".
    public static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let digits = abs(value) >= 100 ? "%.0f" : abs(value) >= 10 ? "%.1f" : "%.2f"
        return String(format: digits, value) + " " + units[unit]
    }

    /// A measured value with four significant digits: "0.0123", "24.1", "1.235e+06".
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", value)
    }

    /// Key-value fields as "loss 0.0123  psnr 24.1".
    public static func fields(_ fields: [ProgressField]) -> String {
        fields.map { "\($0.name) \($0.value)" }.joined(separator: "  ")
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

/// One live value shown on a progress line, e.g. `loss 0.0123`.
public struct ProgressField: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// A numeric field, formatted with four significant digits.
    public init(_ name: String, _ value: Double) {
        self.init(name, ReportFormat.number(value))
    }
}
