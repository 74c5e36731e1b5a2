/// The state of a long loop at one moment: what a progress line shows.
public struct ProgressSnapshot: Equatable, Sendable {
    /// What the loop is doing, e.g. "train-ae".
    public var label: String
    /// The unit of one item, e.g. "it", "step", "img".
    public var unit: String
    /// The number of items in the loop, if known.
    public var total: Int?
    /// Items done so far, those of earlier sessions included.
    public var completed: Int
    /// Items done before this session started (a resumed checkpoint's step); the rates leave them out.
    public var resumedAt: Int
    /// Seconds since the loop started.
    public var elapsed: Double
    /// Smoothed items per second, once it can be estimated.
    public var rate: Double?
    /// Live values, in the order they were first set.
    public var fields: [ProgressField]

    public init(
        label: String, unit: String = "it", total: Int?, completed: Int, elapsed: Double,
        rate: Double?, fields: [ProgressField] = [], resumedAt: Int = 0
    ) {
        self.label = label
        self.unit = unit
        self.total = total
        self.completed = completed
        self.elapsed = elapsed
        self.rate = rate
        self.fields = fields
        self.resumedAt = resumedAt
    }

    /// The completed fraction (0...1), if the total is known and positive.
    public var fraction: Double? {
        guard let total, total > 0 else { return nil }
        return min(max(Double(completed) / Double(total), 0), 1)
    }

    /// Estimated seconds to finish at the smoothed rate, if total and rate are known.
    public var remainingSeconds: Double? {
        guard let total, let rate, rate > 0 else { return nil }
        return Double(max(total - completed, 0)) / rate
    }

    /// The average rate over this session.
    public var averageRate: Double? {
        let done = completed - resumedAt
        return elapsed > 0 && done > 0 ? Double(done) / elapsed : nil
    }
}
