import Foundation

/// A quantity measured once per seed: its mean and its spread, the sample standard deviation
/// over seeds (nil with a single seed, where it is undefined). Non-finite values are left out.
public struct SeedSpread: Codable, Equatable, Sendable {
    public var mean: Double
    public var spread: Double?
    public var seeds: Int

    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        seeds = finite.count
        guard !finite.isEmpty else {
            mean = .nan
            spread = nil
            return
        }
        mean = finite.reduce(0, +) / Double(finite.count)
        if finite.count >= 2 {
            let m = mean
            spread = (finite.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(finite.count - 1)).squareRoot()
        } else {
            spread = nil
        }
    }

    /// "12.34 ± 0.56", or "12.34 ± n/a" with one seed; `scale` multiplies both (×10³ columns).
    public func text(_ format: String, scale: Double = 1, signed: Bool = false) -> String {
        guard mean.isFinite else { return "–" }
        let valueFormat = signed && !format.hasPrefix("%+") ? "%+" + format.dropFirst() : format
        return String(format: valueFormat, mean * scale) + " ± "
            + (spread.map { String(format: format, $0 * scale) } ?? "n/a")
    }
}
