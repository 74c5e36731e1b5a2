/// What one training step did.
public struct FlowStepReport: Sendable {
    /// Steps completed, this one included.
    public var step: Int
    /// Mean squared velocity error of the batch.
    public var loss: Double
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// True when the loss or gradient was not finite and the update was skipped.
    public var skipped: Bool
    /// Per time bucket: the sum of per-sample losses and how many samples fell in it.
    public var bucketLossSums: [Double]
    public var bucketCounts: [Int]
    public var samples: Int
    /// Wall-clock seconds of the step (batch, forward, backward, update).
    public var seconds: Double
}

/// Averages of step reports over an interval (for the metrics log and the progress line).
public struct FlowStepAverages: Sendable {
    public private(set) var steps = 0
    public private(set) var skipped = 0
    public private(set) var samples = 0
    public private(set) var seconds = 0.0
    private var lossSum = 0.0
    private var gradientNormSum = 0.0
    private var bucketSums: [Double]
    private var bucketCounts: [Int]
    public private(set) var lastLearningRate = 0.0

    public init(buckets: Int) {
        bucketSums = Array(repeating: 0, count: buckets)
        bucketCounts = Array(repeating: 0, count: buckets)
    }

    public mutating func add(_ report: FlowStepReport) {
        steps += 1
        samples += report.samples
        seconds += report.seconds
        lastLearningRate = report.learningRate
        if report.skipped {
            skipped += 1
            return
        }
        lossSum += report.loss
        gradientNormSum += report.gradientNorm
        for i in bucketSums.indices where i < report.bucketLossSums.count {
            bucketSums[i] += report.bucketLossSums[i]
            bucketCounts[i] += report.bucketCounts[i]
        }
    }

    private var counted: Double { Double(max(steps - skipped, 1)) }
    public var loss: Double { lossSum / counted }
    public var gradientNorm: Double { gradientNormSum / counted }
    /// Mean loss per time bucket (nil where no sample fell).
    public var bucketLosses: [Double?] {
        zip(bucketSums, bucketCounts).map { $1 > 0 ? $0 / Double($1) : nil }
    }
    public var samplesPerSecond: Double { seconds > 0 ? Double(samples) / seconds : 0 }
}
