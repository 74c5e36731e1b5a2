import Foundation

/// A smoothed items-per-second rate: an exponential moving average weighted by time, so
/// that irregular update intervals count in proportion to their length and the estimate
/// forgets old speeds after a few `smoothingSeconds`.
public struct RateEstimator: Equatable, Sendable {
    /// Time constant of the average, in seconds.
    public let smoothingSeconds: Double
    /// Samples closer together than this are merged (a tight loop would otherwise give
    /// intervals too short to measure).
    public let minimumInterval: Double

    /// The current estimate, once a first interval has been measured.
    public private(set) var rate: Double?
    private var lastTime: Double
    private var lastCount: Int

    /// Starts at `count` items at `time` seconds (any monotonic clock).
    public init(startTime: Double, startCount: Int = 0, smoothingSeconds: Double = 10, minimumInterval: Double = 0.1) {
        self.smoothingSeconds = max(smoothingSeconds, 1e-3)
        self.minimumInterval = max(minimumInterval, 0)
        self.lastTime = startTime
        self.lastCount = startCount
    }

    /// Takes in that `count` items were done at `time`.
    public mutating func record(count: Int, at time: Double) {
        let interval = time - lastTime
        guard interval >= minimumInterval, interval > 0 else { return }
        let instantaneous = Double(count - lastCount) / interval
        if let current = rate {
            let weight = 1 - exp(-interval / smoothingSeconds)
            rate = max(0, current + weight * (instantaneous - current))
        } else {
            rate = max(0, instantaneous)
        }
        lastTime = time
        lastCount = count
    }
}
