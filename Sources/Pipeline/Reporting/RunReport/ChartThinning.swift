/// Fewer points for long logs: a chart a few hundred pixels wide shows no more than a few hundred
/// points, and a log of every step of an hour's training would make the page megabytes heavy.
enum ChartThinning {
    /// At most about `maximum` points, evenly spaced in index, always keeping the last one (the
    /// newest value is the one people look for).
    static func thinned(_ points: [ChartPoint], maximum: Int = 600) -> [ChartPoint] {
        guard points.count > maximum, maximum >= 2 else { return points }
        let stride = (points.count + maximum - 1) / maximum
        var kept = Swift.stride(from: 0, to: points.count, by: stride).map { points[$0] }
        if kept.last != points.last, let last = points.last { kept.append(last) }
        return kept
    }
}
