import TensorCore

/// Per-channel mean and standard deviation of NCHW data. The flow trains on standardised data
/// (zero mean, unit variance per channel), so that unit-variance noise and data have the same
/// scale whatever the autoencoder's latent scale is; the statistics travel with the model so
/// samples can be mapped back.
public struct ChannelStatistics: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    /// Standard deviations are floored here, so a constant channel does not divide by zero.
    public static let minimumStd: Float = 1e-6

    /// For statistics the program computed; those read from files go through `validated`,
    /// whose checks stay in release builds (`-Ounchecked` drops this precondition).
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "ChannelStatistics: \(mean.count) means and \(std.count) deviations")
        self.mean = mean
        self.std = std.map { Swift.max($0, Self.minimumStd) }
    }

    /// Statistics read from a file or given by a user: one finite mean and one finite,
    /// non-negative deviation per channel, at least one channel. A short `std` would otherwise
    /// be read past its end by `standardize`, one channel per missing entry.
    public static func validated(mean: [Float], std: [Float]) throws -> ChannelStatistics {
        if let problem = problem(mean: mean, std: std) { throw FlowTrainingError("channel statistics: \(problem)") }
        return ChannelStatistics(mean: mean, std: std)
    }

    private static func problem(mean: [Float], std: [Float]) -> String? {
        if mean.isEmpty { return "no channels" }
        if mean.count != std.count { return "\(mean.count) means but \(std.count) standard deviations" }
        if let i = mean.firstIndex(where: { !$0.isFinite }) { return "the mean of channel \(i) is \(mean[i])" }
        if let i = std.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            return "the standard deviation of channel \(i) is \(std[i])"
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey { case mean, std }

    /// Decoding (model files, checkpoints) checks what `validated` checks, as an error naming the
    /// field, which the file readers report with the file's name.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let mean = try container.decode([Float].self, forKey: .mean)
        let std = try container.decode([Float].self, forKey: .std)
        if let problem = Self.problem(mean: mean, std: std) {
            throw DecodingError.dataCorruptedError(
                forKey: .std, in: container, debugDescription: "channel statistics: \(problem)")
        }
        self.init(mean: mean, std: std)
    }

    /// Mean 0 and std 1 for every channel: the data is used as it is.
    public static func identity(channels: Int) -> ChannelStatistics {
        ChannelStatistics(mean: Array(repeating: 0, count: channels), std: Array(repeating: 1, count: channels))
    }

    public var channels: Int { mean.count }
    public var isIdentity: Bool { mean.allSatisfy { $0 == 0 } && std.allSatisfy { $0 == 1 } }

    /// The statistics of a whole [N, C, …] tensor.
    public static func measure(_ data: Tensor) -> ChannelStatistics {
        var accumulator = ChannelStatisticsAccumulator(channels: data.shape.count > 1 ? data.shape[1] : 1)
        accumulator.add(data)
        return accumulator.statistics
    }

    /// (x − mean) / std per channel.
    public func standardize(_ x: Tensor) -> Tensor { affine(x, forward: true) }

    /// x · std + mean per channel (the inverse of `standardize`).
    public func destandardize(_ x: Tensor) -> Tensor { affine(x, forward: false) }

    private func affine(_ x: Tensor, forward: Bool) -> Tensor {
        precondition(
            x.rank >= 2 && x.shape[1] == channels,
            "ChannelStatistics: \(channels) channels, data of shape \(x.shape)")
        let n = x.shape[0], c = channels
        let plane = x.count / Swift.max(n * c, 1)
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.unsafePointer, dst = out.unsafePointer
        for channel in 0..<c {
            let scale = forward ? 1 / std[channel] : std[channel]
            let offset = forward ? -mean[channel] / std[channel] : mean[channel]
            for i in 0..<n {
                let base = (i * c + channel) * plane
                for j in base..<(base + plane) { dst[j] = src[j] * scale + offset }
            }
        }
        return out
    }
}

/// Running per-channel sums (in Double) over batches of NCHW data.
public struct ChannelStatisticsAccumulator: Sendable {
    public private(set) var count: [Double]
    private var sum: [Double]
    private var sumOfSquares: [Double]

    public init(channels: Int) {
        count = Array(repeating: 0, count: channels)
        sum = count
        sumOfSquares = count
    }

    public mutating func add(_ x: Tensor) {
        let c = count.count
        precondition(
            x.rank >= 2 && x.shape[1] == c, "ChannelStatisticsAccumulator: \(c) channels, data of shape \(x.shape)")
        let n = x.shape[0]
        let plane = x.count / Swift.max(n * c, 1)
        let p = x.unsafePointer
        for i in 0..<n {
            for channel in 0..<c {
                let base = p + (i * c + channel) * plane
                sum[channel] += Double(VectorReductions.sum(base, count: plane))
                sumOfSquares[channel] += Double(VectorReductions.dot(base, base, count: plane))
                count[channel] += Double(plane)
            }
        }
    }

    /// The population mean and standard deviation so far.
    public var statistics: ChannelStatistics {
        var mean = [Float](), std = [Float]()
        for channel in count.indices {
            let n = Swift.max(count[channel], 1)
            let m = sum[channel] / n
            mean.append(Float(m))
            std.append(Float(Swift.max(sumOfSquares[channel] / n - m * m, 0).squareRoot()))
        }
        return ChannelStatistics(mean: mean, std: std)
    }
}
